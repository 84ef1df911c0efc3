package emulator

import (
	"net/http"
	"slices"
	"strings"
	"unicode"
)

// parseEmoji accepts a unicode emoji or a custom "name:id" as Discord
// does in reaction paths (already percent-decoded).
func parseEmoji(s string) (Emoji, bool) {
	if name, id, ok := strings.Cut(s, ":"); ok {
		if name == "" || id == "" || strings.Trim(id, "0123456789") != "" {
			return Emoji{}, false
		}
		return Emoji{ID: strp(id), Name: name}, true
	}
	if s == "" || len(s) > 64 {
		return Emoji{}, false
	}
	for _, r := range s {
		if r > unicode.MaxASCII {
			return Emoji{Name: s}, true
		}
	}
	return Emoji{}, false
}

func emojiKey(e Emoji) string {
	if e.ID != nil {
		return e.Name + ":" + *e.ID
	}
	return e.Name
}

func (s *Server) addReaction(w http.ResponseWriter, r *http.Request) {
	s.react(w, r, s.botID(), true)
}

func (s *Server) removeReaction(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("user_id")
	if uid == "@me" {
		uid = s.botID()
	}
	s.react(w, r, uid, false)
}

func (s *Server) botID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.bot.ID
}

func (s *Server) react(w http.ResponseWriter, r *http.Request, userID string, add bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.messageLocked(r.PathValue("channel_id"), r.PathValue("message_id"))
	if e != nil {
		e.write(w)
		return
	}
	emoji, ok := parseEmoji(r.PathValue("emoji"))
	if !ok {
		errUnknownEmoji.write(w)
		return
	}
	if s.setReactionLocked(m, emoji, userID, add) {
		kind := OutReactionAdd
		if !add {
			kind = OutReactionRemove
		}
		if userID == s.w.bot.ID {
			s.emitLocked(Output{Kind: kind, ChannelID: m.ChannelID, MessageID: m.ID, Emoji: emojiKey(emoji), Content: m.Content})
		}
	}
	writeNoContent(w)
}

// setReactionLocked records a reaction change and dispatches it; it
// reports whether anything changed.
func (s *Server) setReactionLocked(m *Message, emoji Emoji, userID string, add bool) bool {
	key := emojiKey(emoji)
	if m.reactors == nil {
		m.reactors = map[string]map[string]bool{}
	}
	who := m.reactors[key]
	if add == who[userID] {
		return false
	}
	i := slices.IndexFunc(m.Reactions, func(x Reaction) bool { return emojiKey(x.Emoji) == key })
	if add {
		if who == nil {
			who = map[string]bool{}
			m.reactors[key] = who
		}
		who[userID] = true
		if i < 0 {
			m.Reactions = append(m.Reactions, Reaction{Emoji: emoji})
			i = len(m.Reactions) - 1
		}
		m.Reactions[i].Count++
	} else {
		delete(who, userID)
		m.Reactions[i].Count--
		if m.Reactions[i].Count == 0 {
			m.Reactions = slices.Delete(m.Reactions, i, i+1)
		}
	}
	if i >= 0 && i < len(m.Reactions) && emojiKey(m.Reactions[i].Emoji) == key {
		m.Reactions[i].Me = who[s.w.bot.ID]
	}
	d := map[string]any{"user_id": userID, "channel_id": m.ChannelID, "message_id": m.ID, "emoji": emoji, "burst": false, "type": 0}
	name := "MESSAGE_REACTION_REMOVE"
	if add {
		name = "MESSAGE_REACTION_ADD"
		d["message_author_id"] = m.Author.ID
	}
	if m.GuildID != "" {
		d["guild_id"] = m.GuildID
		if gs := s.w.guild(m.GuildID); gs != nil && add {
			if mem, ok := gs.member(userID); ok {
				d["member"] = mem
			}
		}
	}
	s.dispatchLocked(name, m.GuildID, mustJSON(d), nil)
	return true
}
