package uncord

import (
	"fmt"
	"net/url"
)

// OutputKind tags what the bot did.
type OutputKind string

// Output kinds, one per observable bot action.
const (
	OutMessage        OutputKind = "message"
	OutEdit           OutputKind = "edit"
	OutDelete         OutputKind = "delete"
	OutReactionAdd    OutputKind = "reaction_add"
	OutReactionRemove OutputKind = "reaction_remove"
	OutPresence       OutputKind = "presence"
)

// Output is one thing the bot did. Fields not meaningful for a kind are
// zero. Emoji is the reaction's path segment exactly as sent
// (percent-encoded); DecodedEmoji decodes it.
type Output struct {
	Kind          OutputKind
	ChannelID     string
	ChannelName   string
	MessageID     string
	Content       string
	ReplyTo       string // id of the message replied to
	ReplyToAuthor string // username of its author
	Emoji         string
	Status        string // presence
}

// DecodedEmoji is Emoji percent-decoded (Emoji itself when it is not
// valid percent-encoding).
func (o Output) DecodedEmoji() string {
	if d, err := url.PathUnescape(o.Emoji); err == nil {
		return d
	}
	return o.Emoji
}

// String renders one human-readable line.
func (o Output) String() string {
	switch o.Kind {
	case OutMessage:
		if o.ReplyTo != "" {
			return fmt.Sprintf("#%s bot (reply to %s): %s", o.ChannelName, o.ReplyToAuthor, o.Content)
		}
		return fmt.Sprintf("#%s bot: %s", o.ChannelName, o.Content)
	case OutEdit:
		return fmt.Sprintf("#%s bot edited %s: %s", o.ChannelName, o.MessageID, o.Content)
	case OutDelete:
		return fmt.Sprintf("#%s bot deleted %s", o.ChannelName, o.MessageID)
	case OutReactionAdd, OutReactionRemove:
		verb := "reacted"
		if o.Kind == OutReactionRemove {
			verb = "removed reaction"
		}
		return fmt.Sprintf("#%s bot %s %s on %s", o.ChannelName, verb, o.DecodedEmoji(), o.MessageID)
	case OutPresence:
		return "bot presence: " + o.Status
	}
	return string(o.Kind)
}

// Subscribe returns a channel of everything the bot does from now on and a
// cancel func. The channel is buffered (1024); a subscriber that falls that
// far behind loses outputs rather than stalling the server.
func (s *Server) Subscribe() (<-chan Output, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan Output, 1024)
	id := s.nextSub
	s.nextSub++
	if s.closed {
		close(ch)
		return ch, func() {}
	}
	s.subs[id] = ch
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if c, ok := s.subs[id]; ok {
			close(c)
			delete(s.subs, id)
		}
	}
}

func (s *Server) emitLocked(o Output) {
	for _, ch := range s.subs {
		select {
		case ch <- o:
		default:
			s.opts.Logger.Warn("uncord emulator: subscriber too slow; output dropped", "kind", o.Kind)
		}
	}
}
