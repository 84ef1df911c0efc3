package emulator

import (
	"encoding/json"
	"fmt"
	"strings"
)

// OutputKind tags what the bot did.
type OutputKind string

// Output kinds, one per observable bot action.
const (
	OutMessage             OutputKind = "message"
	OutEdit                OutputKind = "edit"
	OutDelete              OutputKind = "delete"
	OutReactionAdd         OutputKind = "reaction_add"
	OutReactionRemove      OutputKind = "reaction_remove"
	OutInteractionResponse OutputKind = "interaction_response"
	OutFollowup            OutputKind = "followup"
	OutOriginalEdit        OutputKind = "original_edit"
	OutOriginalDelete      OutputKind = "original_delete"
	OutCommands            OutputKind = "commands"
	OutPresence            OutputKind = "presence"
)

// Output is one thing the bot did, as the console prints it and tests
// assert it. Fields not meaningful for a kind are zero.
type Output struct {
	Kind          OutputKind      `json:"kind"`
	ChannelID     string          `json:"channel_id,omitempty"`
	ChannelName   string          `json:"channel_name,omitempty"` // "general", or "DM"
	MessageID     string          `json:"message_id,omitempty"`
	Content       string          `json:"content,omitempty"`
	ReplyTo       string          `json:"reply_to,omitempty"`        // id of the message replied to
	ReplyToAuthor string          `json:"reply_to_author,omitempty"` // username of its author
	Emoji         string          `json:"emoji,omitempty"`
	Embeds        json.RawMessage `json:"embeds,omitempty"`
	Components    json.RawMessage `json:"components,omitempty"`
	Data          json.RawMessage `json:"data,omitempty"` // the request body as the bot sent it
	Ephemeral     bool            `json:"ephemeral,omitempty"`
	InteractionID string          `json:"interaction_id,omitempty"`
	ResponseType  int             `json:"response_type,omitempty"` // interaction callback type
	Scope         string          `json:"scope,omitempty"`         // commands: "global" or a guild id
	Count         int             `json:"count,omitempty"`         // commands: how many in the scope
	Status        string          `json:"status,omitempty"`        // presence: online, idle, dnd, invisible
}

var responseNames = map[int]string{
	1: "pong", 4: "message", 5: "deferred", 6: "deferred update", 7: "update message",
	8: "autocomplete choices", 9: "modal", 10: "premium required", 12: "launch activity",
}

// String renders one human-readable line.
func (o Output) String() string {
	var b strings.Builder
	where := ""
	if o.ChannelName != "" {
		where = "#" + o.ChannelName
		if o.ChannelName == "DM" {
			where = "DM"
		}
	}
	switch o.Kind {
	case OutMessage, OutFollowup:
		fmt.Fprintf(&b, "%s %s", o.Kind, where)
		if o.ReplyTo != "" {
			fmt.Fprintf(&b, " (reply to %s)", orDefault(o.ReplyToAuthor, o.ReplyTo))
		}
		fmt.Fprintf(&b, ": %s", o.Content)
	case OutEdit, OutOriginalEdit:
		fmt.Fprintf(&b, "%s %s %s: %s", o.Kind, where, o.MessageID, o.Content)
	case OutDelete, OutOriginalDelete:
		fmt.Fprintf(&b, "%s %s %s", o.Kind, where, o.MessageID)
	case OutReactionAdd, OutReactionRemove:
		fmt.Fprintf(&b, "%s %s %s on %s", o.Kind, where, o.Emoji, o.MessageID)
	case OutInteractionResponse:
		fmt.Fprintf(&b, "interaction %s: %s", o.InteractionID, orDefault(responseNames[o.ResponseType], fmt.Sprint(o.ResponseType)))
		if o.Content != "" {
			fmt.Fprintf(&b, ": %s", o.Content)
		}
	case OutCommands:
		fmt.Fprintf(&b, "commands %s: %d registered", o.Scope, o.Count)
	case OutPresence:
		fmt.Fprintf(&b, "presence %s %s", o.Status, o.Data)
	default:
		fmt.Fprintf(&b, "%s %s", o.Kind, o.Data)
	}
	if o.Ephemeral {
		b.WriteString(" (ephemeral)")
	}
	if len(o.Embeds) > 0 && string(o.Embeds) != "null" && string(o.Embeds) != "[]" {
		fmt.Fprintf(&b, " embeds=%s", o.Embeds)
	}
	if len(o.Components) > 0 && string(o.Components) != "null" && string(o.Components) != "[]" {
		fmt.Fprintf(&b, " components=%s", o.Components)
	}
	return strings.TrimSpace(b.String())
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// subscriberBuffer is how many outputs a slow subscriber may lag behind
// before further outputs are dropped for it (and a warning logged).
const subscriberBuffer = 1024

// Subscribe returns a channel of everything the bot does from now on and a
// function that ends the subscription. Close ends every subscription.
func (s *Server) Subscribe() (<-chan Output, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan Output, subscriberBuffer)
	if s.closed {
		close(ch)
		return ch, func() {}
	}
	id := s.nextSub
	s.nextSub++
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

// emitLocked sends an output to every subscriber. Caller holds s.mu.
func (s *Server) emitLocked(o Output) {
	if o.ChannelID != "" && o.ChannelName == "" {
		o.ChannelName = s.channelNameLocked(o.ChannelID)
	}
	for _, ch := range s.subs {
		select {
		case ch <- o:
		default:
			s.log.Warn("emulator: subscriber too slow, output dropped", "kind", o.Kind)
		}
	}
}

func (s *Server) channelNameLocked(id string) string {
	c := s.w.channels[id]
	switch {
	case c == nil:
		return ""
	case c.Type == 1:
		return "DM"
	}
	return c.Name
}
