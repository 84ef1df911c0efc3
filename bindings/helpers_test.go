package bindings

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/botrun/botrun/host/store"
)

// testCallback stands in for a script function.
type testCallback struct{ name string }

func (testCallback) Lang() string { return "test" }

// testEnv runs nothing itself: it records posted callbacks on a channel so
// tests can wait for them, and counts Acquire slots.
type testEnv struct {
	posted  chan Callback
	retired bool // guarded by mu
	mu      sync.Mutex
	pending int // guarded by mu
	max     int
}

func newTestEnv(max int) *testEnv {
	return &testEnv{posted: make(chan Callback, 100), max: max}
}

func (e *testEnv) Post(cb Callback, args ...any) bool {
	e.mu.Lock()
	retired := e.retired
	e.mu.Unlock()
	if retired {
		return false
	}
	e.posted <- cb
	return true
}

func (e *testEnv) Acquire() (func(), error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pending >= e.max {
		return nil, fmt.Errorf("%d pending: %w", e.pending, ErrLimit)
	}
	e.pending++
	var once sync.Once
	return func() {
		once.Do(func() {
			e.mu.Lock()
			e.pending--
			e.mu.Unlock()
		})
	}, nil
}

func (e *testEnv) Pending() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.pending
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// recorded is one platform call as the recording host saw it.
type recorded struct {
	Op      string
	Method  string
	Path    string
	Body    any
	Channel string
	Message string
	ReplyTo string
	Emoji   string
	Msg     map[string]any
	Ix      InteractionRef
	Kind    ResponseKind
}

// recorder implements Platform, Interactions and Gateway by recording
// calls and answering with fixed JSON, or with err when set.
type recorder struct {
	mu    sync.Mutex // guards calls
	calls []recorded
	err   error
}

func (r *recorder) add(c recorded) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
	return r.err
}

func (r *recorder) last(t *testing.T) recorded {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.calls) == 0 {
		t.Fatal("no platform call was made")
	}
	return r.calls[len(r.calls)-1]
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

var sentMessage = json.RawMessage(`{"id":"900","channel_id":"10","content":"sent"}`)

func (r *recorder) Request(ctx context.Context, method, path string, body any) (json.RawMessage, error) {
	if err := r.add(recorded{Op: "request", Method: method, Path: path, Body: body}); err != nil {
		return nil, err
	}
	return json.RawMessage(`{"ok":true}`), nil
}

func (r *recorder) SendMessage(ctx context.Context, channelID string, msg map[string]any, replyTo string) (json.RawMessage, error) {
	if err := r.add(recorded{Op: "send", Channel: channelID, Msg: msg, ReplyTo: replyTo}); err != nil {
		return nil, err
	}
	return sentMessage, nil
}

func (r *recorder) EditMessage(ctx context.Context, channelID, messageID string, msg map[string]any) (json.RawMessage, error) {
	if err := r.add(recorded{Op: "edit", Channel: channelID, Message: messageID, Msg: msg}); err != nil {
		return nil, err
	}
	return sentMessage, nil
}

func (r *recorder) DeleteMessage(ctx context.Context, channelID, messageID string) error {
	return r.add(recorded{Op: "delete", Channel: channelID, Message: messageID})
}

func (r *recorder) AddReaction(ctx context.Context, channelID, messageID, emoji string) error {
	return r.add(recorded{Op: "react", Channel: channelID, Message: messageID, Emoji: emoji})
}

func (r *recorder) Respond(ctx context.Context, ix InteractionRef, kind ResponseKind, data map[string]any) (json.RawMessage, error) {
	return nil, r.add(recorded{Op: "respond", Ix: ix, Kind: kind, Msg: data})
}

func (r *recorder) Followup(ctx context.Context, ix InteractionRef, msg map[string]any) (json.RawMessage, error) {
	if err := r.add(recorded{Op: "followup", Ix: ix, Msg: msg}); err != nil {
		return nil, err
	}
	return sentMessage, nil
}

func (r *recorder) EditOriginal(ctx context.Context, ix InteractionRef, msg map[string]any) (json.RawMessage, error) {
	if err := r.add(recorded{Op: "edit_original", Ix: ix, Msg: msg}); err != nil {
		return nil, err
	}
	return sentMessage, nil
}

func (r *recorder) DeleteOriginal(ctx context.Context, ix InteractionRef) error {
	return r.add(recorded{Op: "delete_original", Ix: ix})
}

func (r *recorder) UpdatePresence(ctx context.Context, presence map[string]any) error {
	return r.add(recorded{Op: "presence", Msg: presence})
}

// fixture is one script wired to a recording host and a real file store.
type fixture struct {
	t      *testing.T
	script *Script
	rec    *recorder
	env    *testEnv
	db     *store.DB
	logs   *bytes.Buffer
	ctx    context.Context
	cancel context.CancelFunc
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return newFixtureWithStore(t, db, "test")
}

func newFixtureWithStore(t *testing.T, db *store.DB, name string) *fixture {
	rec := &recorder{}
	env := newTestEnv(10)
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})).With("script", name)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s := &Script{
		Name:   name,
		Path:   name + ".lua",
		Config: map[string]any{},
		Log:    log,
		Host: &Host{
			Platform:     rec,
			Interactions: rec,
			Gateway:      rec,
			Store:        func(script string) (Store, error) { return db.Scope(script), nil },
		},
		Env: env,
		Reg: NewRegistry(nil),
	}
	return &fixture{t: t, script: s, rec: rec, env: env, db: db, logs: logs, ctx: ctx, cancel: cancel}
}

// call invokes a global binding by name.
func (f *fixture) call(name string, args ...any) (any, error) {
	f.t.Helper()
	for _, fn := range Globals() {
		if fn.Name == name {
			return fn.Fn(&Call{Ctx: f.ctx, Script: f.script, Args: args, Where: func() string { return "test.lua:1" }})
		}
	}
	f.t.Fatalf("no global %q", name)
	return nil, nil
}

// method invokes a method of this.
func (f *fixture) method(this *Object, name string, args ...any) (any, error) {
	f.t.Helper()
	m, ok := Methods(this.Kind)[name]
	if !ok {
		f.t.Fatalf("kind %q has no method %q", this.Kind, name)
	}
	return m.Fn(&Call{Ctx: f.ctx, Script: f.script, This: this, Args: args, Where: func() string { return "test.lua:1" }})
}

func usageErr(t *testing.T, err error) *UsageError {
	t.Helper()
	var ue *UsageError
	if !errors.As(err, &ue) {
		t.Fatalf("error %v (%T) is not a *UsageError", err, err)
	}
	return ue
}
