package uncord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	emu "github.com/botrun/botrun/host/emulator/uncord"
	"github.com/botrun/botrun/host/gateway"
)

// bot is a gateway session plus Backfill against the emulator, recording
// what scripts would receive.
type bot struct {
	t      *testing.T
	s      *emu.Server
	auth   *Auth
	bf     *Backfill
	mu     sync.Mutex // guards events
	events []rec
	wake   chan struct{}
	done   chan error
	cancel context.CancelFunc
}

type rec struct {
	name    string
	id      string
	content string
}

func startBot(t *testing.T, s *emu.Server, acfg AuthConfig) *bot {
	t.Helper()
	if acfg.Email == "" && acfg.RefreshToken == "" {
		acfg.Email, acfg.Password = s.Credentials()
	}
	a := newAuth(t, s, acfg)
	cl, err := NewClient(ClientConfig{BaseURL: s.URL(), Auth: a})
	if err != nil {
		t.Fatal(err)
	}
	b := &bot{t: t, s: s, auth: a, wake: make(chan struct{}, 1), done: make(chan error, 1)}
	b.bf = NewBackfill(BackfillConfig{API: cl, Deliver: b.deliver, Now: acfg.Now})
	gcfg, err := GatewayConfig(s.URL(), a, nil)
	if err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		gcfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	gcfg.Dispatch = func(d gateway.Dispatch) { b.bf.Handle(d.Name, d.Data) }
	gcfg.BackoffMin, gcfg.BackoffMax, gcfg.IdentifyInterval = 10*time.Millisecond, 50*time.Millisecond, time.Millisecond
	m, err := gateway.New(gcfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	go func() { b.done <- m.Run(ctx) }()
	t.Cleanup(func() { b.stop() })
	return b
}

func (b *bot) stop() error {
	if b.cancel == nil {
		return nil
	}
	b.cancel()
	b.cancel = nil
	var err error
	select {
	case err = <-b.done:
	case <-time.After(5 * time.Second):
		b.t.Error("gateway did not stop")
	}
	b.bf.Close()
	return err
}

func (b *bot) deliver(name string, data json.RawMessage) {
	var h struct {
		ID      string `json:"id"`
		Content string `json:"content"`
	}
	json.Unmarshal(data, &h)
	b.mu.Lock()
	b.events = append(b.events, rec{name, h.ID, h.Content})
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// waitFor waits until the recorded events satisfy ok.
func (b *bot) waitFor(what string, ok func([]rec) bool) []rec {
	b.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		b.mu.Lock()
		ev := append([]rec(nil), b.events...)
		b.mu.Unlock()
		if ok(ev) {
			return ev
		}
		select {
		case <-b.wake:
		case <-deadline:
			b.t.Fatalf("timed out waiting for %s; got %v", what, ev)
		}
	}
}

func count(name string) func([]rec) bool {
	return func(ev []rec) bool {
		n := 0
		for _, e := range ev {
			if e.name == name {
				n++
			}
		}
		return n > 0
	}
}

func countN(name string, want int) func([]rec) bool {
	return func(ev []rec) bool {
		n := 0
		for _, e := range ev {
			if e.name == name {
				n++
			}
		}
		return n >= want
	}
}

// messages lists delivered message contents in order.
func messages(ev []rec) []string {
	var out []string
	for _, e := range ev {
		if e.name == "MESSAGE_CREATE" {
			out = append(out, e.content)
		}
	}
	return out
}

func names(ev []rec) []string {
	var out []string
	for _, e := range ev {
		out = append(out, e.name)
	}
	return out
}

func inject(t *testing.T, s *emu.Server, ch string, contents ...string) {
	t.Helper()
	for _, c := range contents {
		if _, err := s.InjectMessage(s.ChannelID(ch), c); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGatewayBackfillAfterEveryKindOfReconnect(t *testing.T) {
	c := newClock()
	s := startEmu(t, emu.Options{HeartbeatInterval: 300 * time.Millisecond, Now: c.Now})
	inject(t, s, "general", "before-connect") // never replayed
	c.Advance(time.Second)                    // timestamps have second precision
	b := startBot(t, s, AuthConfig{Now: c.Now})
	ctx := ctxT(t)
	b.waitFor("READY", count("READY"))
	inject(t, s, "general", "live-1")
	b.waitFor("live-1", countN("MESSAGE_CREATE", 1))

	faults := []struct {
		name  string
		fault func()
		after string // lifecycle event that ends the reconnect
	}{
		{"TCP drop, resume", s.DropConnections, "RESUMED"},
		{"1001 shutdown, resume", func() { s.CloseConnections(1001, "server shutting down") }, "RESUMED"},
		{"op 7, resume", s.SendReconnect, "RESUMED"},
		{"op 9, identify on the same socket", func() { s.InvalidateSessions(); s.DropConnections() }, "READY"},
		{"expired token, 4004, re-auth", func() { s.ExpireTokens(); s.InvalidateSessions(); s.CloseConnections(4000, "x") }, "READY"},
	}
	want := []string{"live-1"}
	for i, f := range faults {
		before := len(b.waitFor("", func([]rec) bool { return true }))
		f.fault()
		if err := s.WaitNoConnections(ctx); err != nil {
			t.Fatal(err)
		}
		off := []string{fmt.Sprintf("offline-%d-a", i), fmt.Sprintf("offline-%d-b", i), fmt.Sprintf("offline-%d-c", i)}
		inject(t, s, "general", off[0], off[1])
		inject(t, s, "welcome", off[2])
		if _, err := s.InjectMessage(s.ChannelID("staff"), "hidden"); err != nil {
			t.Fatal(err)
		}
		want = append(want, off...)
		live := fmt.Sprintf("live-after-%d", i)
		ev := b.waitFor(f.name, func(ev []rec) bool {
			return len(ev) > before && countN(f.after, 1)(ev[before:]) && len(messages(ev)) >= len(want)
		})
		inject(t, s, "general", live)
		want = append(want, live)
		ev = b.waitFor(live, func(ev []rec) bool { return len(messages(ev)) >= len(want) })
		if got := messages(ev); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("%s: messages\n got %v\nwant %v", f.name, got, want)
		}
		t.Logf("%s done at %v", f.name, time.Now().Format("05.000"))
		if tail := names(ev[before:]); tail[0] != "RECONNECTING" {
			t.Fatalf("%s: events after the fault %v", f.name, tail)
		}
	}
	if _, _, reuses := s.AuthStats(); reuses != 0 {
		t.Fatal("TOKEN_REUSED triggered")
	}
	if err := b.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestGatewayBadCredentialsStopRun(t *testing.T) {
	s := startEmu(t, emu.Options{})
	email, _ := s.Credentials()
	b := startBot(t, s, AuthConfig{Email: email, Password: "nope-nope"})
	select {
	case err := <-b.done:
		var ae *AuthError
		if !errors.As(err, &ae) {
			t.Fatalf("Run returned %v, want *AuthError", err)
		}
		b.cancel = nil
		b.bf.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("Run kept going with bad credentials")
	}
}

func TestCloseActionSecond4004IsFatal(t *testing.T) {
	s := startEmu(t, emu.Options{})
	c := newClock()
	email, pw := s.Credentials()
	d := NewGatewayDialect(newAuth(t, s, AuthConfig{Email: email, Password: pw, Now: c.Now}), nil)
	if fatal, fresh, handled := d.CloseAction(4004, "invalid token"); fatal != nil || !fresh || !handled {
		t.Fatalf("first 4004: %v %v %v", fatal, fresh, handled)
	}
	c.Advance(10 * time.Second)
	fatal, _, _ := d.CloseAction(4004, "invalid token")
	if fatal == nil || fatal.Code != 4004 || !strings.Contains(fatal.Error(), "UNCORD_EMAIL") {
		t.Fatalf("second 4004 soon after: %v", fatal)
	}
	c.Advance(2 * time.Minute)
	if fatal, _, _ := d.CloseAction(4004, ""); fatal != nil {
		t.Fatal("a 4004 long after the last re-auth should re-auth again")
	}
	if _, _, handled := d.CloseAction(4008, "rate limited"); handled {
		t.Fatal("4008 should use the shared backoff")
	}
	if got := d.Presence(map[string]any{"status": "dnd", "activities": []any{}}); fmt.Sprint(got) != "map[status:dnd]" {
		t.Fatalf("Presence = %v", got)
	}
}

func TestGatewayTokenRejectedTwiceIsFatal(t *testing.T) {
	s := startEmu(t, emu.Options{HeartbeatInterval: time.Second})
	b := startBot(t, s, AuthConfig{})
	b.waitFor("READY", count("READY"))
	s.DisableUser(s.BotUser().ID)
	s.CloseConnections(4000, "restart")
	select {
	case err := <-b.done:
		var fe *gateway.FatalError
		if !errors.As(err, &fe) || fe.Code != 4004 || !strings.Contains(err.Error(), "re-authenticated") {
			t.Fatalf("Run returned %v, want a 4004 FatalError after one re-auth", err)
		}
		b.cancel = nil
		b.bf.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("Run kept reconnecting with a rejected token")
	}
	if _, refreshes, reuses := s.AuthStats(); refreshes != 1 || reuses != 0 {
		t.Fatalf("refreshes=%d reuses=%d, want exactly one re-authentication", refreshes, reuses)
	}
}
