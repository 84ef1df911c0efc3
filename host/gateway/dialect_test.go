package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testDialect is a Uncord-like platform: short-lived tokens, identify with
// the token only, op 9 answered on the same socket, close 4100 fatal.
type testDialect struct {
	tokens atomic.Int32
	fail   error
}

func (d *testDialect) Token(ctx context.Context) (string, error) {
	if d.fail != nil {
		return "", d.fail
	}
	return "jwt-" + string(rune('0'+d.tokens.Add(1))), nil
}

func (d *testDialect) Identify(token string, intents uint64, shard [2]int, presence any) any {
	return map[string]any{"token": token}
}

func (d *testDialect) InvalidSessionSameSocket() bool { return true }

func (d *testDialect) CloseAction(code int, reason string) (*FatalError, bool, bool) {
	if code == 4100 {
		return &FatalError{Code: code, Reason: reason, Hint: "log in again"}, false, true
	}
	return nil, false, false
}

func (d *testDialect) Presence(p any) any {
	return map[string]any{"status": p.(map[string]any)["status"]}
}

type fatalErr struct{}

func (fatalErr) Error() string { return "bad password" }
func (fatalErr) Fatal() bool   { return true }

func TestDialect(t *testing.T) {
	gw := newFakeGW(t)
	d := &testDialect{}
	h := start(t, gw, func(c *Config) { c.Token = ""; c.Dialect = d; c.DisableCompression = true })
	c := gw.accept()
	id := c.identifyAndReady(60_000, "u1")
	if len(id) != 1 || id["token"] != "jwt-1" {
		t.Fatalf("identify = %v", id)
	}
	h.expectEvent("READY")

	// op 9 false: identify again on the same socket, at once
	c.send(map[string]any{"op": opInvalidSession, "d": false})
	f := c.expect(opIdentify)
	if !strings.Contains(string(f.D), "jwt-1") {
		t.Errorf("re-identify = %s", f.D)
	}
	c.ready("u2")
	h.expectEvent("READY")

	if err := h.m.UpdatePresence(context.Background(), map[string]any{"status": "idle", "afk": false}); err != nil {
		t.Fatal(err)
	}
	p := c.expect(opPresenceUpdate)
	if string(p.D) != `{"status":"idle"}` {
		t.Errorf("presence = %s", p.D)
	}

	// a reconnect asks for a fresh token and resumes with it
	c.closeWith(4000, "again")
	c2 := gw.accept()
	c2.hello(60_000)
	r := c2.expect(opResume)
	var res map[string]any
	json.Unmarshal(r.D, &res)
	if res["token"] != "jwt-2" || res["session_id"] != "u2" {
		t.Errorf("resume = %s", r.D)
	}

	c2.closeWith(4100, "session revoked")
	var fe *FatalError
	if err := h.runErr(); !errors.As(err, &fe) || fe.Code != 4100 || !strings.Contains(err.Error(), "log in again") {
		t.Fatalf("Run = %v", err)
	}
}

func TestDialectFatalTokenError(t *testing.T) {
	gw := newFakeGW(t)
	d := &testDialect{fail: errors.Join(errors.New("login"), fatalErr{})}
	h := start(t, gw, func(c *Config) { c.Token = ""; c.Dialect = d })
	err := h.runErr()
	var fe fatalErr
	if !errors.As(err, &fe) {
		t.Fatalf("Run = %v, want the dialect's error", err)
	}
	// Run has returned, so any dial would already have been accepted
	select {
	case c := <-gw.conns:
		t.Fatalf("dialed despite the token error: %s", c.path)
	default:
	}
}

// Identifying again on the same socket waits for a send slot; shutting
// down must not wait for it.
func TestSameSocketIdentifyHonoursShutdown(t *testing.T) {
	gw := newFakeGW(t)
	reidentifying := &messageSignal{msg: "gateway: invalid session; identifying again on the same connection", seen: make(chan struct{})}
	h := start(t, gw, func(c *Config) {
		c.Token, c.Dialect, c.DisableCompression = "", &testDialect{}, true
		c.SendLimit, c.SendReserve, c.SendWindow = 2, 1, time.Hour // one ordinary send per hour
		c.Logger = slog.New(reidentifying)
	})
	c := gw.accept()
	c.identifyAndReady(60_000, "u1")
	h.expectEvent("READY")
	c.send(map[string]any{"op": opInvalidSession, "d": false}) // the re-identify finds no free slot
	select {
	case <-reidentifying.seen:
	case <-time.After(wait):
		t.Fatal("the shard did not start identifying again")
	}
	h.cancel()
	if err := h.runErr(); err != nil {
		t.Fatalf("Run = %v, want nil after shutdown", err)
	}
}

// messageSignal closes seen when a record with message msg is logged.
type messageSignal struct {
	msg  string
	once sync.Once
	seen chan struct{}
}

func (m *messageSignal) Enabled(context.Context, slog.Level) bool { return true }
func (m *messageSignal) Handle(_ context.Context, r slog.Record) error {
	if r.Message == m.msg {
		m.once.Do(func() { close(m.seen) })
	}
	return nil
}
func (m *messageSignal) WithAttrs([]slog.Attr) slog.Handler { return m }
func (m *messageSignal) WithGroup(string) slog.Handler      { return m }
