package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
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
