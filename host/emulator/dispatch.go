package emulator

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
)

func itoa(i int) string { return strconv.Itoa(i) }

// dispatchLocked sends an event to every session whose shard holds
// guildID (shard 0 for "") and whose intents ask for it. stripped, when
// set, replaces data for sessions without MESSAGE_CONTENT. Caller holds
// s.mu.
func (s *Server) dispatchLocked(name, guildID string, data, stripped json.RawMessage) {
	need := intentFor(name, guildID == "")
	for _, ss := range s.sortedSessionsLocked() {
		if guildID == "" && ss.shard[0] != 0 {
			continue
		}
		if guildID != "" && shardFor(guildID, ss.shard[1]) != ss.shard[0] {
			continue
		}
		if need != 0 && ss.intents&need == 0 {
			continue
		}
		d := data
		if stripped != nil && ss.intents&intentMessageContent == 0 {
			d = stripped
		}
		ss.record(name, d)
	}
}

// sortedSessionsLocked orders sessions by id so dispatch order is stable.
func (s *Server) sortedSessionsLocked() []*session {
	out := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		out = append(out, ss)
	}
	slices.SortFunc(out, func(a, b *session) int { return compareStrings(a.id, b.id) })
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// dispatchMessageLocked sends MESSAGE_CREATE or MESSAGE_UPDATE, emptying
// content, embeds, attachments and components for sessions without the
// MESSAGE_CONTENT intent, except in DMs, the bot's own messages and
// messages that mention the bot.
func (s *Server) dispatchMessageLocked(name string, m *Message) {
	s.dispatchLocked(name, m.GuildID, mustJSON(m), s.strippedLocked(m))
}

// strippedLocked is m as a session without MESSAGE_CONTENT sees it, or nil
// when such a session sees it whole. Caller holds s.mu.
func (s *Server) strippedLocked(m *Message) json.RawMessage {
	if m.GuildID == "" || m.Author.ID == s.w.bot.ID || mentions(m, s.w.bot.ID) {
		return nil
	}
	c := *m
	c.Content = ""
	c.Embeds, c.Attachments, c.Components = []json.RawMessage{}, []json.RawMessage{}, []json.RawMessage{}
	return mustJSON(c)
}

func mentions(m *Message, userID string) bool {
	return slices.ContainsFunc(m.Mentions, func(u User) bool { return u.ID == userID })
}

var mentionRe = regexp.MustCompile(`<@!?(\d+)>`)
var roleMentionRe = regexp.MustCompile(`<@&(\d+)>`)

// fillMentions sets mentions and mention_roles from the content.
func (s *Server) fillMentionsLocked(m *Message) {
	m.Mentions = []User{}
	m.MentionRoles = []string{}
	for _, sm := range mentionRe.FindAllStringSubmatch(m.Content, -1) {
		if u := s.w.users[sm[1]]; u != nil && !slices.ContainsFunc(m.Mentions, func(x User) bool { return x.ID == u.ID }) {
			m.Mentions = append(m.Mentions, *u)
		}
	}
	for _, sm := range roleMentionRe.FindAllStringSubmatch(m.Content, -1) {
		if !slices.Contains(m.MentionRoles, sm[1]) {
			m.MentionRoles = append(m.MentionRoles, sm[1])
		}
	}
}
