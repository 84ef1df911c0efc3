package uncord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Interaction identifies a text-command invocation to answer. Its fields
// are those of the scripts' interaction reference, in the same order, so
// the CLI converts with a plain type conversion.
type Interaction struct {
	ID            string // the command message's id
	Token         string // TokenPrefix + channel id + ":" + message id
	ApplicationID string
	ChannelID     string
	Type          int
	MessageID     string
}

// Messenger is what the Responder needs; *Client is one.
type Messenger interface {
	SendMessage(ctx context.Context, channelID string, msg map[string]any, replyTo string) (json.RawMessage, error)
	EditMessage(ctx context.Context, channelID, messageID string, msg map[string]any) (json.RawMessage, error)
	DeleteMessage(ctx context.Context, channelID, messageID string) error
	Do(ctx context.Context, method, path string, body any) (json.RawMessage, error)
}

// ResponderOptions configures a Responder.
type ResponderOptions struct {
	Log      *slog.Logger
	Now      func() time.Time
	Lifetime time.Duration // how long an invocation can be answered, default 15 min (as on Discord)
}

// Responder answers text commands the way interactions are answered on
// Discord: the response is a reply to the command message, followups are
// further replies, "edit original" edits the response, and a deferral shows
// the typing indicator. Uncord has no ephemeral messages, components or
// modals: ephemeral responses are sent visibly, modals and component
// updates fail with a clear error.
type Responder struct {
	api  Messenger
	opts ResponderOptions

	mu    sync.Mutex // guards state
	state map[string]*ixState
}

type ixState struct {
	created   time.Time
	responded bool
	deferred  bool
	original  string // id of the response message
}

// NewResponder returns a Responder sending through api.
func NewResponder(api Messenger, opts ResponderOptions) *Responder {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Lifetime <= 0 {
		opts.Lifetime = 15 * time.Minute
	}
	return &Responder{api: api, opts: opts, state: map[string]*ixState{}}
}

// ErrUnsupported is returned for responses Uncord cannot show.
var ErrUnsupported = errors.New("not supported on Uncord")

func (r *Responder) where(ix Interaction) (channel, message string, err error) {
	channel, message = ix.ChannelID, ix.ID
	if rest, ok := strings.CutPrefix(ix.Token, TokenPrefix); ok {
		if ch, m, ok := strings.Cut(rest, ":"); ok {
			if channel == "" {
				channel = ch
			}
			if message == "" {
				message = m
			}
		}
	}
	if channel == "" || message == "" {
		return "", "", errors.New("uncord: not a text-command interaction (no channel or message id)")
	}
	return channel, message, nil
}

// stateLocked returns the state of ix, creating it; expired ones go.
func (r *Responder) stateLocked(id string) *ixState {
	now := r.opts.Now()
	for k, s := range r.state {
		if now.Sub(s.created) > r.opts.Lifetime {
			delete(r.state, k)
		}
	}
	s := r.state[id]
	if s == nil {
		s = &ixState{created: now}
		r.state[id] = s
	}
	return s
}

// Respond sends the initial response. kind is the interaction callback
// type: 4 message, 5 deferred message, 6 deferred update, 7 update, 8
// autocomplete, 9 modal.
func (r *Responder) Respond(ctx context.Context, ix Interaction, kind int, data map[string]any) (json.RawMessage, error) {
	ch, msg, err := r.where(ix)
	if err != nil {
		return nil, err
	}
	switch kind {
	case 7:
		return nil, fmt.Errorf("uncord: updating a component's message: %w (Uncord has no components)", ErrUnsupported)
	case 8:
		return nil, nil // no autocomplete in text commands; nothing to answer
	case 9:
		return nil, fmt.Errorf("uncord: modals are %w; ask with a message instead", ErrUnsupported)
	case 4, 5, 6:
	default:
		return nil, fmt.Errorf("uncord: unknown response type %d", kind)
	}
	r.mu.Lock()
	s := r.stateLocked(ix.ID)
	if s.responded {
		r.mu.Unlock()
		return nil, errors.New("uncord: this command was already responded to; use followup or edit")
	}
	s.responded = true
	s.deferred = kind != 4
	r.mu.Unlock()
	if kind != 4 {
		if kind == 5 {
			// the typing indicator stands in for "thinking…"; best effort
			if _, err := r.api.Do(ctx, "POST", "/channels/"+url.PathEscape(ch)+"/typing", nil); err != nil {
				r.opts.Log.Debug("uncord: typing indicator failed", "err", err)
			}
		}
		return nil, nil
	}
	return r.send(ctx, ix.ID, ch, msg, data, true)
}

// send posts a reply; original marks it as the response to edit later.
func (r *Responder) send(ctx context.Context, id, ch, replyTo string, data map[string]any, original bool) (json.RawMessage, error) {
	raw, err := r.api.SendMessage(ctx, ch, data, replyTo)
	if err != nil {
		return nil, err
	}
	if original {
		var m struct {
			ID string `json:"id"`
		}
		json.Unmarshal(raw, &m)
		r.mu.Lock()
		s := r.stateLocked(id)
		s.original = m.ID
		r.mu.Unlock()
	}
	return raw, nil
}

// Followup sends another reply. After a deferral the first one becomes
// the response, as on Discord.
func (r *Responder) Followup(ctx context.Context, ix Interaction, msg map[string]any) (json.RawMessage, error) {
	ch, m, err := r.where(ix)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	s := r.stateLocked(ix.ID)
	first := s.deferred && s.original == ""
	s.responded = true
	r.mu.Unlock()
	return r.send(ctx, ix.ID, ch, m, msg, first)
}

// EditOriginal edits the response; with none sent yet (deferred, or not
// responded) it sends it.
func (r *Responder) EditOriginal(ctx context.Context, ix Interaction, msg map[string]any) (json.RawMessage, error) {
	ch, m, err := r.where(ix)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	s := r.stateLocked(ix.ID)
	orig := s.original
	s.responded = true
	r.mu.Unlock()
	if orig == "" {
		return r.send(ctx, ix.ID, ch, m, msg, true)
	}
	return r.api.EditMessage(ctx, ch, orig, msg)
}

// DeleteOriginal deletes the response message.
func (r *Responder) DeleteOriginal(ctx context.Context, ix Interaction) error {
	ch, _, err := r.where(ix)
	if err != nil {
		return err
	}
	r.mu.Lock()
	s := r.stateLocked(ix.ID)
	orig := s.original
	s.original = ""
	r.mu.Unlock()
	if orig == "" {
		return errors.New("uncord: there is no response message to delete")
	}
	return r.api.DeleteMessage(ctx, ch, orig)
}

// Fail tells the user the command failed when the handler raised before
// responding (the error itself stays in the log).
func (r *Responder) Fail(ctx context.Context, ix Interaction, cause error) {
	r.mu.Lock()
	s := r.stateLocked(ix.ID)
	answered := s.original != ""
	r.mu.Unlock()
	if answered {
		return
	}
	if _, err := r.EditOriginal(ctx, ix, map[string]any{"content": "Something went wrong running this command."}); err != nil {
		r.opts.Log.Warn("uncord: could not report a failed command", "err", err)
	}
}

// Usage replies to a command message that did not fit its spec.
func (r *Responder) Usage(ctx context.Context, inv Invocation) error {
	_, err := r.api.SendMessage(ctx, inv.ChannelID, map[string]any{"content": inv.Usage}, inv.MessageID)
	return err
}
