package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Callback (initial response) types.
const (
	RespondMessage      = 4 // CHANNEL_MESSAGE_WITH_SOURCE
	RespondDefer        = 5 // DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
	RespondDeferUpdate  = 6 // DEFERRED_UPDATE_MESSAGE (components)
	RespondUpdate       = 7 // UPDATE_MESSAGE (components)
	RespondAutocomplete = 8 // APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
	RespondModal        = 9 // MODAL
)

const flagEphemeral = 1 << 6

// Messages users see when something goes wrong on the bot's side.
const (
	UnavailableText = "This command isn't available right now."
	FailedText      = "Something went wrong running this command."
)

var (
	// ErrAlreadyAnswered is a second initial response.
	ErrAlreadyAnswered = errors.New("interaction already answered; use followup or edit")
	// ErrExpired is a response after the interaction token's lifetime.
	ErrExpired = errors.New("interaction expired: its token is only valid for 15 minutes")
	// ErrNotAnswered is an edit or delete of an original response that
	// does not exist yet.
	ErrNotAnswered = errors.New("interaction not answered yet; respond or defer first")
	// ErrTooLate is a modal or autocomplete result after the host already
	// deferred the interaction because the handler took too long.
	ErrTooLate = errors.New("too late: the interaction was already deferred after the response deadline; modals and autocomplete results must be the first response")
)

// Interaction identifies an interaction to answer.
type Interaction struct {
	ID            string `json:"id"`
	Token         string `json:"token"`
	ApplicationID string `json:"application_id"`
	Type          int    `json:"type"`
}

// ParseInteraction reads the identifying fields of an INTERACTION_CREATE
// payload.
func ParseInteraction(raw json.RawMessage) (Interaction, error) {
	var ix Interaction
	if err := json.Unmarshal(raw, &ix); err != nil {
		return ix, fmt.Errorf("decode interaction: %w", err)
	}
	if ix.ID == "" || ix.Token == "" || ix.ApplicationID == "" {
		return ix, errors.New("decode interaction: id, token or application_id missing")
	}
	return ix, nil
}

// ResponderOptions configure a Responder. Zero values take the defaults.
type ResponderOptions struct {
	Clock Clock
	// DeferAfter is how long a handler may take before the host defers on
	// its behalf; the platform's deadline is 3 s. Default 2.5 s.
	DeferAfter time.Duration
	// TokenLifetime is how long follow-ups and edits are possible.
	// Default 15 min.
	TokenLifetime time.Duration
	// EphemeralDefer reports whether the host's automatic defer for an
	// owner's interactions is ephemeral (default: not).
	EphemeralDefer func(owner string) bool
	// RequestTimeout bounds requests the host makes on its own (automatic
	// defers). Default 5 s.
	RequestTimeout time.Duration
	Log            *slog.Logger
}

// Responder answers interactions and enforces the response rules: one
// initial response, an automatic defer when the handler is slow (after
// which a respond edits the deferred response), and the token's lifetime.
// The api given to it should not send the bot token: interaction endpoints
// are authorised by the interaction token in the path.
type Responder struct {
	api    API
	opts   ResponderOptions
	ctx    context.Context // for automatic defers; cancelled by Close
	cancel context.CancelFunc

	mu        sync.Mutex // guards pending, lastSweep and closed; wg.Add happens under it
	pending   map[string]*ixState
	lastSweep time.Time // when sweepLocked last walked pending
	closed    bool
	wg        sync.WaitGroup // automatic defers in flight
}

// ixState is the response state of one interaction.
type ixState struct {
	ix       Interaction
	owner    string
	begun    time.Time
	timer    Timer
	answered bool // an initial response was sent or is being sent
	// hostDeferred is set when the host deferred on the handler's behalf;
	// deferDone is closed once that request finished.
	hostDeferred bool
	deferDone    chan struct{}
	deferFailed  bool // set before deferDone closes
	// scriptDeferred is set when the handler itself deferred.
	scriptDeferred bool
	// edited is set once the original response has content of the
	// handler's (after a defer).
	edited bool
}

// NewResponder returns a responder sending through api.
func NewResponder(api API, opts ResponderOptions) *Responder {
	if opts.Clock == nil {
		opts.Clock = RealClock()
	}
	if opts.DeferAfter <= 0 {
		opts.DeferAfter = 2500 * time.Millisecond
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = 15 * time.Minute
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 5 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Responder{api: api, opts: opts, ctx: ctx, cancel: cancel, pending: map[string]*ixState{}}
}

// Close stops pending deadline timers and waits for automatic defers in
// flight (they are cancelled).
func (r *Responder) Close() {
	r.mu.Lock()
	r.closed = true
	for _, st := range r.pending {
		if st.timer != nil {
			st.timer.Stop()
		}
	}
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
}

// Begin starts tracking ix as it is handed to owner's handler: if no
// initial response is sent within DeferAfter, the host defers.
func (r *Responder) Begin(ix Interaction, owner string) {
	now := r.opts.Clock.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.sweepLocked(now)
	st := &ixState{ix: ix, owner: owner, begun: now}
	r.pending[ix.ID] = st
	if ix.Type == TypeCommand || ix.Type == TypeComponent || ix.Type == TypeModalSubmit {
		id := ix.ID
		st.timer = r.opts.Clock.AfterFunc(r.opts.DeferAfter, func() { r.autoDefer(id) })
	}
}

// sweepLocked forgets interactions whose token has expired. It walks the
// map at most once a minute (or token lifetime), so that Begin stays cheap
// when many interactions are tracked.
func (r *Responder) sweepLocked(now time.Time) {
	if now.Sub(r.lastSweep) < min(time.Minute, r.opts.TokenLifetime) {
		return
	}
	r.lastSweep = now
	for id, st := range r.pending {
		if now.Sub(st.begun) > r.opts.TokenLifetime {
			if st.timer != nil {
				st.timer.Stop()
			}
			delete(r.pending, id)
		}
	}
}

// state returns the tracked state of ix, creating it for interactions
// that were never begun (a caller answering directly).
func (r *Responder) stateLocked(ix Interaction) *ixState {
	st, ok := r.pending[ix.ID]
	if !ok {
		st = &ixState{ix: ix, begun: r.opts.Clock.Now()}
		r.pending[ix.ID] = st
	}
	return st
}

func (r *Responder) expired(st *ixState) bool {
	return r.opts.Clock.Now().Sub(st.begun) > r.opts.TokenLifetime
}

func (r *Responder) autoDefer(id string) {
	r.mu.Lock()
	st, ok := r.pending[id]
	if !ok || st.answered || r.closed {
		r.mu.Unlock()
		return
	}
	st.answered, st.hostDeferred = true, true
	st.deferDone = make(chan struct{})
	r.wg.Add(1)
	r.mu.Unlock()
	defer r.wg.Done()
	defer close(st.deferDone)

	kind, data := RespondDefer, map[string]any(nil)
	if st.ix.Type == TypeComponent {
		kind = RespondDeferUpdate
	} else if r.opts.EphemeralDefer != nil && r.opts.EphemeralDefer(st.owner) {
		data = map[string]any{"flags": flagEphemeral}
	}
	ctx, cancel := context.WithTimeout(r.ctx, r.opts.RequestTimeout)
	defer cancel()
	if _, err := r.callback(ctx, st.ix, kind, data); err != nil {
		r.opts.Log.Warn("automatic defer failed", "owner", st.owner, "interaction", id, "err", err)
		// The handler's own response is then the initial one (it may
		// still make it if the platform was merely slow).
		r.mu.Lock()
		st.answered, st.hostDeferred, st.deferFailed = false, false, true
		r.mu.Unlock()
		return
	}
	r.opts.Log.Debug("interaction deferred by the host", "owner", st.owner, "interaction", id)
}

func (r *Responder) callback(ctx context.Context, ix Interaction, kind int, data map[string]any) (json.RawMessage, error) {
	body := map[string]any{"type": kind}
	if data != nil {
		body["data"] = data
	}
	return r.api.Do(ctx, http.MethodPost, "/interactions/"+ix.ID+"/"+ix.Token+"/callback", body)
}

func webhookPath(ix Interaction) string {
	return "/webhooks/" + ix.ApplicationID + "/" + ix.Token
}

// Respond sends the initial response of kind (a callback type) with data.
// After the host deferred, a message or update becomes an edit of the
// original response and a defer does nothing. After the handler deferred
// itself, a message becomes an edit too. Any other second response is
// ErrAlreadyAnswered.
func (r *Responder) Respond(ctx context.Context, ix Interaction, kind int, data map[string]any) (json.RawMessage, error) {
	if err := checkResponse(ix, kind, data); err != nil {
		return nil, err
	}
	r.mu.Lock()
	st := r.stateLocked(ix)
	if r.expired(st) {
		r.mu.Unlock()
		return nil, ErrExpired
	}
	if !st.answered {
		st.answered = true
		st.scriptDeferred = kind == RespondDefer || kind == RespondDeferUpdate
		if st.timer != nil {
			st.timer.Stop()
		}
		r.mu.Unlock()
		raw, err := r.callback(ctx, ix, kind, data)
		if err != nil {
			// Nothing reached the user: the handler may try again (the
			// deadline timer stays stopped; a retry is its own answer).
			r.mu.Lock()
			st.answered, st.scriptDeferred = false, false
			r.mu.Unlock()
			return nil, fmt.Errorf("respond: %w", err)
		}
		return raw, nil
	}
	host, done, self := st.hostDeferred, st.deferDone, st.scriptDeferred
	r.mu.Unlock()
	if host && done != nil {
		if err := wait(ctx, done); err != nil {
			return nil, err
		}
		r.mu.Lock()
		failed := st.deferFailed
		r.mu.Unlock()
		if failed {
			return r.Respond(ctx, ix, kind, data)
		}
	}
	switch {
	case host && (kind == RespondDefer || kind == RespondDeferUpdate):
		return nil, nil
	case (host || self) && (kind == RespondMessage || kind == RespondUpdate):
		return r.editOriginal(ctx, st, withoutEphemeral(data))
	case host:
		return nil, ErrTooLate
	}
	return nil, ErrAlreadyAnswered
}

// withoutEphemeral drops the ephemeral flag, which an edit cannot change.
func withoutEphemeral(data map[string]any) map[string]any {
	f, ok := data["flags"]
	if !ok {
		return data
	}
	n, _ := toInt(f)
	out := make(map[string]any, len(data))
	for k, v := range data {
		out[k] = v
	}
	if n &^= flagEphemeral; n == 0 {
		delete(out, "flags")
	} else {
		out["flags"] = n
	}
	return out
}

// Followup sends a follow-up message. Before any initial response it is
// sent as the initial response instead, which is what the handler meant.
func (r *Responder) Followup(ctx context.Context, ix Interaction, msg map[string]any) (json.RawMessage, error) {
	r.mu.Lock()
	st := r.stateLocked(ix)
	answered, done, expired := st.answered, st.deferDone, r.expired(st)
	r.mu.Unlock()
	if expired {
		return nil, ErrExpired
	}
	if !answered {
		return r.Respond(ctx, ix, RespondMessage, msg)
	}
	if err := wait(ctx, done); err != nil {
		return nil, err
	}
	raw, err := r.api.Do(ctx, http.MethodPost, webhookPath(ix), msg)
	if err != nil {
		return nil, fmt.Errorf("followup: %w", err)
	}
	return raw, nil
}

// EditOriginal edits the initial response (the deferred one included).
func (r *Responder) EditOriginal(ctx context.Context, ix Interaction, msg map[string]any) (json.RawMessage, error) {
	st, err := r.afterAnswer(ctx, ix)
	if err != nil {
		return nil, err
	}
	return r.editOriginal(ctx, st, msg)
}

// afterAnswer returns the interaction's state once its initial response
// (a deferral included) has been sent, for calls that change that response.
func (r *Responder) afterAnswer(ctx context.Context, ix Interaction) (*ixState, error) {
	r.mu.Lock()
	st := r.stateLocked(ix)
	answered, done, expired := st.answered, st.deferDone, r.expired(st)
	r.mu.Unlock()
	switch {
	case expired:
		return nil, ErrExpired
	case !answered:
		return nil, ErrNotAnswered
	}
	if err := wait(ctx, done); err != nil {
		return nil, err
	}
	return st, nil
}

func (r *Responder) editOriginal(ctx context.Context, st *ixState, msg map[string]any) (json.RawMessage, error) {
	raw, err := r.api.Do(ctx, http.MethodPatch, webhookPath(st.ix)+"/messages/@original", msg)
	if err != nil {
		return nil, fmt.Errorf("edit original response: %w", err)
	}
	r.mu.Lock()
	st.edited = true
	r.mu.Unlock()
	return raw, nil
}

// DeleteOriginal deletes the initial response.
func (r *Responder) DeleteOriginal(ctx context.Context, ix Interaction) error {
	if _, err := r.afterAnswer(ctx, ix); err != nil {
		return err
	}
	if _, err := r.api.Do(ctx, http.MethodDelete, webhookPath(ix)+"/messages/@original", nil); err != nil {
		return fmt.Errorf("delete original response: %w", err)
	}
	return nil
}

// Fail tells the user the handler failed: an ephemeral reply if nothing
// was answered yet, the deferred response filled in if it is still
// loading, a follow-up otherwise. The handler's error itself stays in the
// logs; users only see a short message.
func (r *Responder) Fail(ctx context.Context, ix Interaction, cause error) error {
	r.mu.Lock()
	st := r.stateLocked(ix)
	answered, deferred, edited := st.answered, st.hostDeferred || st.scriptDeferred, st.edited
	owner, done, expired := st.owner, st.deferDone, r.expired(st)
	r.mu.Unlock()
	r.opts.Log.Warn("interaction handler failed", "owner", owner, "interaction", ix.ID, "err", cause)
	if expired {
		return ErrExpired
	}
	msg := map[string]any{"content": FailedText, "flags": flagEphemeral}
	switch {
	case !answered && ix.Type == TypeAutocomplete:
		_, err := r.Respond(ctx, ix, RespondAutocomplete, map[string]any{"choices": []any{}})
		return err
	case !answered:
		_, err := r.Respond(ctx, ix, RespondMessage, msg)
		return err
	case deferred && !edited && ix.Type != TypeComponent:
		if err := wait(ctx, done); err != nil {
			return err
		}
		_, err := r.editOriginal(ctx, st, map[string]any{"content": FailedText})
		return err
	}
	_, err := r.Followup(ctx, ix, msg)
	return err
}

// Unavailable answers an interaction nobody handles (a stale command, a
// button of an unloaded script) politely instead of letting it time out.
func (r *Responder) Unavailable(ctx context.Context, ix Interaction) error {
	if ix.Type == TypeAutocomplete {
		_, err := r.Respond(ctx, ix, RespondAutocomplete, map[string]any{"choices": []any{}})
		return err
	}
	_, err := r.Respond(ctx, ix, RespondMessage, map[string]any{"content": UnavailableText, "flags": flagEphemeral})
	return err
}

// wait blocks until the host's automatic defer (done, may be nil) has
// finished, so an edit never overtakes the response it edits.
func wait(ctx context.Context, done chan struct{}) error {
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
