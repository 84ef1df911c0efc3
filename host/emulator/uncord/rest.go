package uncord

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

func (s *Server) getMe(w http.ResponseWriter, r *http.Request, uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeData(w, 200, s.fullUserLocked(s.accounts[uid]))
}

func (s *Server) serverLocked() map[string]any {
	now := stamp(s.opts.Now())
	return map[string]any{"id": s.serverID, "name": "botrun test server", "description": "", "icon_key": nil,
		"banner_key": nil, "owner_id": s.tester.user.ID, "created_at": now, "updated_at": now}
}

func (s *Server) getServer(w http.ResponseWriter, r *http.Request, uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeData(w, 200, s.serverLocked())
}

func (s *Server) getChannels(w http.ResponseWriter, r *http.Request, uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeData(w, 200, s.channels)
}

func (s *Server) getMembers(w http.ResponseWriter, r *http.Request, uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeData(w, 200, s.members)
}

func (s *Server) channelLocked(id string) *Channel {
	for _, c := range s.channels {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// canViewLocked is the ViewChannels check: the bot cannot see #staff.
func (s *Server) canViewLocked(uid string, c *Channel) bool {
	return !(c.hidden && uid == s.bot.user.ID)
}

func (s *Server) viewableLocked(uid, cid string) (*Channel, *apiError) {
	c := s.channelLocked(cid)
	if c == nil {
		return nil, errorf(404, "UNKNOWN_CHANNEL", "unknown channel")
	}
	if !s.canViewLocked(uid, c) {
		return nil, errorf(403, "MISSING_PERMISSIONS", "you do not have permission to perform this action")
	}
	return c, nil
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request, uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.viewableLocked(uid, r.PathValue("cid"))
	if e != nil {
		writeError(w, e)
		return
	}
	q := r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, errorf(400, "VALIDATION_ERROR", "limit must be a positive integer"))
			return
		}
		limit = min(n, 100)
	}
	all := s.history[c.ID]
	end := len(all)
	if before := q.Get("before"); before != "" {
		end = -1
		for i, m := range all {
			if m.ID == before {
				end = i
				break
			}
		}
		if end < 0 {
			writeError(w, errorf(404, "UNKNOWN_MESSAGE", "unknown message"))
			return
		}
	}
	out := []*Message{}
	for i := end - 1; i >= 0 && len(out) < limit; i-- {
		if !all[i].deleted {
			out = append(out, all[i])
		}
	}
	writeData(w, 200, out)
}

// postLocked stores a new message and dispatches MESSAGE_CREATE.
func (s *Server) postLocked(c *Channel, author *account, content, replyTo string) *Message {
	m := &Message{ID: newUUID(), ChannelID: c.ID, Author: author.user, Content: content,
		Attachments: []any{}, Reactions: []Reaction{}, CreatedAt: stamp(s.opts.Now())}
	if replyTo != "" {
		m.ReplyToID = &replyTo
	}
	s.messages[m.ID] = m
	s.history[c.ID] = append(s.history[c.ID], m)
	s.broadcastLocked("MESSAGE_CREATE", m, c.ID)
	return m
}

func (s *Server) createMessage(w http.ResponseWriter, r *http.Request, uid string) {
	var body struct {
		Content       string   `json:"content"`
		ReplyToID     string   `json:"reply_to_id"`
		AttachmentIDs []string `json:"attachment_ids"`
	}
	if e := decodeBody(r, &body); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.viewableLocked(uid, r.PathValue("cid"))
	if e != nil {
		writeError(w, e)
		return
	}
	if _, reset, ok := s.takeLocked("msg:"+uid+":"+c.ID, s.opts.MessageLimit); !ok {
		writeError(w, rateLimited(reset))
		return
	}
	content := strings.TrimSpace(body.Content)
	if content == "" {
		writeError(w, errorf(400, "VALIDATION_ERROR", "content must not be empty"))
		return
	}
	if utf8.RuneCountInString(content) > 4000 {
		writeError(w, errorf(400, "VALIDATION_ERROR", "content must be at most 4000 characters"))
		return
	}
	if body.ReplyToID != "" {
		if ref := s.messages[body.ReplyToID]; ref == nil || ref.deleted || ref.ChannelID != c.ID {
			writeError(w, errorf(404, "UNKNOWN_MESSAGE", "reply target not found"))
			return
		}
	}
	m := s.postLocked(c, s.accounts[uid], content, body.ReplyToID)
	if uid == s.bot.user.ID {
		o := Output{Kind: OutMessage, ChannelID: c.ID, ChannelName: c.Name, MessageID: m.ID, Content: content, ReplyTo: body.ReplyToID}
		if ref := s.messages[body.ReplyToID]; ref != nil {
			o.ReplyToAuthor = ref.Author.Username
		}
		s.emitLocked(o)
	}
	writeData(w, 201, m)
}

func (s *Server) messageLocked(uid, mid string) (*Message, *Channel, *apiError) {
	m := s.messages[mid]
	if m == nil || m.deleted {
		return nil, nil, errorf(404, "UNKNOWN_MESSAGE", "unknown message")
	}
	c, e := s.viewableLocked(uid, m.ChannelID)
	return m, c, e
}

func (s *Server) editMessage(w http.ResponseWriter, r *http.Request, uid string) {
	var body struct {
		Content string `json:"content"`
	}
	if e := decodeBody(r, &body); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, c, e := s.messageLocked(uid, r.PathValue("mid"))
	if e != nil {
		writeError(w, e)
		return
	}
	if m.Author.ID != uid {
		writeError(w, errorf(403, "MISSING_PERMISSIONS", "you can only edit your own messages"))
		return
	}
	content := strings.TrimSpace(body.Content)
	if content == "" || utf8.RuneCountInString(content) > 4000 {
		writeError(w, errorf(400, "VALIDATION_ERROR", "content must be 1 to 4000 characters"))
		return
	}
	m.Content = content
	t := stamp(s.opts.Now())
	m.EditedAt = &t
	s.broadcastLocked("MESSAGE_UPDATE", m, c.ID)
	s.emitLocked(Output{Kind: OutEdit, ChannelID: c.ID, ChannelName: c.Name, MessageID: m.ID, Content: content})
	writeData(w, 200, m)
}

func (s *Server) deleteMessage(w http.ResponseWriter, r *http.Request, uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, c, e := s.messageLocked(uid, r.PathValue("mid"))
	if e != nil {
		writeError(w, e)
		return
	}
	if m.Author.ID != uid && uid != s.tester.user.ID { // the tester owns the server
		writeError(w, errorf(403, "MISSING_PERMISSIONS", "you do not have permission to perform this action"))
		return
	}
	m.deleted = true
	s.broadcastLocked("MESSAGE_DELETE", map[string]string{"id": m.ID, "channel_id": c.ID}, c.ID)
	if uid == s.bot.user.ID {
		s.emitLocked(Output{Kind: OutDelete, ChannelID: c.ID, ChannelName: c.Name, MessageID: m.ID})
	}
	writeData(w, http.StatusNoContent, nil)
}

func (s *Server) reactionTarget(w http.ResponseWriter, r *http.Request, uid string) (*Message, *Channel, string, bool) {
	m, c, e := s.messageLocked(uid, r.PathValue("mid"))
	if e == nil && m.ChannelID != r.PathValue("cid") {
		e = errorf(404, "UNKNOWN_MESSAGE", "unknown message")
	}
	emoji := rawEmoji(r)
	if e == nil && emoji == "" {
		e = errorf(400, "VALIDATION_ERROR", "emoji is required")
	}
	if e != nil {
		writeError(w, e)
		return nil, nil, "", false
	}
	return m, c, emoji, true
}

// reactionEvent is the REACTION_ADD/REMOVE payload: the emoji exactly as
// stored, i.e. percent-encoded as the client sent it.
func reactionEvent(m *Message, uid, emoji string) map[string]any {
	ev := map[string]any{"message_id": m.ID, "channel_id": m.ChannelID, "user_id": uid, "emoji_id": nil, "emoji_unicode": nil}
	if id, ok := strings.CutPrefix(emoji, "custom:"); ok {
		ev["emoji_id"] = id
	} else {
		ev["emoji_unicode"] = emoji
	}
	return ev
}

func (s *Server) addReaction(w http.ResponseWriter, r *http.Request, uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, c, emoji, ok := s.reactionTarget(w, r, uid)
	if !ok {
		return
	}
	if m.reactors == nil {
		m.reactors = map[string][]string{}
	}
	users, seen := m.reactors[emoji]
	for _, u := range users {
		if u == uid {
			writeError(w, errorf(409, "ALREADY_REACTED", "you have already reacted with this emoji"))
			return
		}
	}
	if !seen {
		m.keys = append(m.keys, emoji)
	}
	m.reactors[emoji] = append(users, uid)
	s.tallyLocked(m)
	s.broadcastLocked("REACTION_ADD", reactionEvent(m, uid, emoji), c.ID)
	if uid == s.bot.user.ID {
		s.emitLocked(Output{Kind: OutReactionAdd, ChannelID: c.ID, ChannelName: c.Name, MessageID: m.ID, Emoji: emoji})
	}
	writeData(w, http.StatusNoContent, nil)
}

func (s *Server) removeReaction(w http.ResponseWriter, r *http.Request, uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, c, emoji, ok := s.reactionTarget(w, r, uid)
	if !ok {
		return
	}
	users := m.reactors[emoji]
	i := -1
	for j, u := range users {
		if u == uid {
			i = j
		}
	}
	if i < 0 {
		writeError(w, errorf(404, "UNKNOWN_REACTION", "unknown reaction"))
		return
	}
	m.reactors[emoji] = append(users[:i:i], users[i+1:]...)
	s.tallyLocked(m)
	s.broadcastLocked("REACTION_REMOVE", reactionEvent(m, uid, emoji), c.ID)
	if uid == s.bot.user.ID {
		s.emitLocked(Output{Kind: OutReactionRemove, ChannelID: c.ID, ChannelName: c.Name, MessageID: m.ID, Emoji: emoji})
	}
	writeData(w, http.StatusNoContent, nil)
}

// tallyLocked rebuilds the inline reactions list ("me" is from the bot's
// point of view, the only client the emulator serves).
func (s *Server) tallyLocked(m *Message) {
	m.Reactions = []Reaction{}
	for _, k := range m.keys {
		users := m.reactors[k]
		if len(users) == 0 {
			continue
		}
		ev := reactionEvent(m, "", k)
		rc := Reaction{Count: len(users)}
		if id, ok := ev["emoji_id"].(string); ok {
			rc.EmojiID = &id
		} else {
			e := k
			rc.EmojiUnicode = &e
		}
		for _, u := range users {
			if u == s.bot.user.ID {
				rc.Me = true
			}
		}
		m.Reactions = append(m.Reactions, rc)
	}
}

// typing broadcasts TYPING_START, an "ephemeral" dispatch: it has no
// sequence number and is never kept for a resume.
func (s *Server) typing(w http.ResponseWriter, r *http.Request, uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.viewableLocked(uid, r.PathValue("cid"))
	if e != nil {
		writeError(w, e)
		return
	}
	b := encode(opDispatch, 0, "TYPING_START", map[string]any{"channel_id": c.ID, "user_id": uid, "timestamp": s.opts.Now().Unix()})
	for cn := range s.conns {
		if cn.identified && s.canViewLocked(cn.userID, c) {
			cn.enqueueLocked(b)
		}
	}
	writeData(w, http.StatusNoContent, nil)
}
