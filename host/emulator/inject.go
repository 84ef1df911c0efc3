package emulator

import (
	"errors"
	"fmt"
)

// MessageOption changes an injected message.
type MessageOption func(*injectMsg)

type injectMsg struct {
	from    string
	replyTo string
}

// From sends the message as another known user (default: the tester).
func From(userID string) MessageOption { return func(m *injectMsg) { m.from = userID } }

// ReplyTo makes the message a reply to messageID.
func ReplyTo(messageID string) MessageOption { return func(m *injectMsg) { m.replyTo = messageID } }

// ErrUnknownUser is returned when an injection names a user that does not exist.
var ErrUnknownUser = errors.New("emulator: unknown user")

// InjectMessage posts content in a channel as the test user (or From) and
// dispatches MESSAGE_CREATE to the bot.
func (s *Server) InjectMessage(channelID, content string, opts ...MessageOption) (Message, error) {
	var o injectMsg
	for _, f := range opts {
		f(&o)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.w.channels[channelID]
	if c == nil {
		return Message{}, fmt.Errorf("emulator: inject message: unknown channel %q", channelID)
	}
	author := s.w.tester
	if o.from != "" {
		u := s.w.users[o.from]
		if u == nil {
			return Message{}, fmt.Errorf("inject message from %q: %w", o.from, ErrUnknownUser)
		}
		author = *u
	}
	b := messageBody{Content: &content}
	if o.replyTo != "" {
		b.MessageReference = &MessageReference{MessageID: o.replyTo}
	}
	if e := b.validate(true); e != nil {
		return Message{}, fmt.Errorf("emulator: inject message: %s", e.message)
	}
	m, e := s.newMessageLocked(c, author, &b)
	if e != nil {
		return Message{}, fmt.Errorf("emulator: inject message: reply to unknown message %q", o.replyTo)
	}
	s.storeMessageLocked(m)
	s.dispatchMessageLocked("MESSAGE_CREATE", m)
	return *m, nil
}

// AddMember makes a new user join the first guild (GUILD_MEMBER_ADD).
func (s *Server) AddMember(username string) (Member, error) {
	if username == "" {
		return Member{}, errors.New("emulator: add member: empty username")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := &User{ID: s.w.newID(), Username: username, GlobalName: strp(username), Discriminator: "0"}
	s.w.users[u.ID] = u
	gs := s.w.guilds[0]
	gs.addMember(u, nil, timestamp(s.now()))
	m, _ := gs.member(u.ID)
	ev := m
	ev.GuildID = gs.guild.ID
	s.dispatchLocked("GUILD_MEMBER_ADD", gs.guild.ID, mustJSON(ev), nil)
	return m, nil
}
