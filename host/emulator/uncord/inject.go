package uncord

import (
	"context"
	"fmt"
	"strings"
)

// ServerID is the community's id (it appears in READY, never as guild_id).
func (s *Server) ServerID() string { return s.serverID }

// ChannelID returns the id of the channel named name ("general",
// "welcome", "staff"), or "" if there is none.
func (s *Server) ChannelID(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.channels {
		if c.Name == strings.TrimPrefix(name, "#") {
			return c.ID
		}
	}
	return ""
}

// ChannelName returns the name of the channel with this id.
func (s *Server) ChannelName(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.channelLocked(id); c != nil {
		return c.Name
	}
	return ""
}

// BotUser is the bot's account; TestUser the account InjectMessage posts as.
func (s *Server) BotUser() User  { return s.bot.user }
func (s *Server) TestUser() User { return s.tester.user }

// MessageOption changes an injected message.
type MessageOption func(*injectOpts)

type injectOpts struct{ from, replyTo string }

// From posts as another user (by id) instead of the test user.
func From(userID string) MessageOption { return func(o *injectOpts) { o.from = userID } }

// ReplyTo makes the message a reply.
func ReplyTo(messageID string) MessageOption { return func(o *injectOpts) { o.replyTo = messageID } }

// InjectMessage posts a message as the test user, as if typed in a client:
// it is stored (history lists it) and MESSAGE_CREATE goes to every
// connection that can see the channel. No rate limit applies.
func (s *Server) InjectMessage(channelID, content string, opts ...MessageOption) (Message, error) {
	o := injectOpts{from: s.tester.user.ID}
	for _, f := range opts {
		f(&o)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channelLocked(channelID)
	if c == nil {
		return Message{}, fmt.Errorf("uncord emulator: unknown channel %q", channelID)
	}
	a := s.accounts[o.from]
	if a == nil {
		return Message{}, fmt.Errorf("uncord emulator: unknown user %q", o.from)
	}
	if strings.TrimSpace(content) == "" {
		return Message{}, fmt.Errorf("uncord emulator: empty message")
	}
	return *s.postLocked(c, a, strings.TrimSpace(content), o.replyTo), nil
}

// InjectReaction reacts as the test user with a unicode emoji, stored
// percent-encoded with upper-case hex as the official client sends it.
func (s *Server) InjectReaction(channelID, messageID, emoji string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.messages[messageID]
	if m == nil || m.ChannelID != channelID {
		return fmt.Errorf("uncord emulator: unknown message %q", messageID)
	}
	key := PercentEncode(emoji)
	if m.reactors == nil {
		m.reactors = map[string][]string{}
	}
	if _, ok := m.reactors[key]; !ok {
		m.keys = append(m.keys, key)
	}
	m.reactors[key] = append(m.reactors[key], s.tester.user.ID)
	s.tallyLocked(m)
	s.broadcastLocked("REACTION_ADD", reactionEvent(m, s.tester.user.ID, key), channelID)
	return nil
}

// PercentEncode encodes every byte outside the unreserved set as %XX with
// upper-case hex (JavaScript encodeURIComponent style).
func PercentEncode(v string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// Messages returns a channel's messages, oldest first, deleted ones
// excluded.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.history[channelID] {
		if !m.deleted {
			out = append(out, *m)
		}
	}
	return out
}

// AddMember creates a user who joins the server: MEMBER_ADD goes out.
func (s *Server) AddMember(username string) (Member, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.accounts {
		if a.user.Username == username {
			return Member{}, fmt.Errorf("uncord emulator: username %q is taken", username)
		}
	}
	a := &account{user: User{ID: newUUID(), Username: username}, email: username + "@botrun.test", password: username + "-password"}
	s.accounts[a.user.ID] = a
	m := &Member{User: a.user, JoinedAt: stamp(s.opts.Now()), Roles: []string{}, Status: "active"}
	s.members = append(s.members, m)
	s.broadcastLocked("MEMBER_ADD", m, "")
	return *m, nil
}

// Dispatch sends an arbitrary event to every identified connection (for
// events the emulator has no action for, e.g. ROLE_CREATE).
func (s *Server) Dispatch(name string, d any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.broadcastLocked(name, d, "")
}

// SessionInfo describes one live gateway connection.
type SessionInfo struct {
	SessionID  string
	UserID     string
	Identified bool
	Seq        int64
}

// Sessions lists live connections.
func (s *Server) Sessions() []SessionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SessionInfo
	for c := range s.conns {
		out = append(out, SessionInfo{SessionID: c.sessionID, UserID: c.userID, Identified: c.identified, Seq: c.seq})
	}
	return out
}

// WaitSessions waits until at least n connections are identified (READY
// or RESUMED sent).
func (s *Server) WaitSessions(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return errClosed
		}
		k := 0
		for c := range s.conns {
			if c.identified {
				k++
			}
		}
		if k >= n {
			s.mu.Unlock()
			return nil
		}
		if s.changed == nil {
			s.changed = make(chan struct{})
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("uncord emulator: waiting for %d sessions: %w", n, ctx.Err())
		}
	}
}

// WaitNoConnections waits until no gateway connection is open (after a
// drop or close fault, before injecting "offline" events).
func (s *Server) WaitNoConnections(ctx context.Context) error {
	for {
		s.mu.Lock()
		if len(s.conns) == 0 {
			s.mu.Unlock()
			return nil
		}
		if s.changed == nil {
			s.changed = make(chan struct{})
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("uncord emulator: waiting for connections to end: %w", ctx.Err())
		}
	}
}
