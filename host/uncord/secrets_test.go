package uncord

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	emu "github.com/botrun/botrun/host/emulator/uncord"
	"github.com/botrun/botrun/host/gateway"
)

// syncBuffer is a log sink shared by goroutines.
type syncBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestCredentialsNeverLogged(t *testing.T) {
	s := startEmu(t, emu.Options{HeartbeatInterval: time.Second})
	email, pw := s.Credentials()
	var logs syncBuffer
	state := filepath.Join(t.TempDir(), "uncord.json")
	events := make(chan Event, 100)
	b, err := NewBot(BotConfig{BaseURL: s.URL(), Email: email, Password: pw, StatePath: state,
		Logger:  slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Deliver: func(e Event) { events <- e },
		Gateway: func(c *gateway.Config) { c.IdentifyInterval, c.BackoffMin = time.Millisecond, 10*time.Millisecond }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	waitReady := func() {
		t.Helper()
		for {
			select {
			case e := <-events:
				if e.Name == "READY" || e.Name == "RESUMED" {
					return
				}
			case <-time.After(5 * time.Second):
				t.Fatal("not connected")
			}
		}
	}
	waitReady()
	// exercise every auth path that logs: expiry over REST, 4004 on the gateway
	s.ExpireTokens()
	if _, err := b.Client().Request(ctx, "GET", "/users/@me", nil); err != nil {
		t.Fatal(err)
	}
	s.ExpireTokens()
	s.InvalidateSessions()
	s.CloseConnections(4000, "restart")
	waitReady()
	access, err := b.auth.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	saved, _ := os.ReadFile(state)
	st := readState(t, state)
	out := logs.String()
	for what, secret := range map[string]string{"password": pw, "access token": access, "refresh token": st.RefreshToken} {
		if secret == "" {
			t.Fatalf("%s unknown (state %s)", what, saved)
		}
		if strings.Contains(out, secret) {
			t.Errorf("the %s appears in the logs", what)
		}
	}
	if !strings.Contains(out, "re-authenticating") || !strings.Contains(out, "refreshed") {
		t.Fatalf("the auth paths were not exercised; logs:\n%s", out)
	}
}
