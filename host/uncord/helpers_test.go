package uncord

import (
	"context"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	emu "github.com/botrun/botrun/host/emulator/uncord"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leaked := waitNoLeaks(3 * time.Second); leaked != "" {
			os.Stderr.WriteString("goroutines leaked:\n" + leaked)
			code = 1
		}
	}
	os.Exit(code)
}

// waitNoLeaks waits for goroutines started by this package or the
// emulator to end, returning their stacks if some do not.
func waitNoLeaks(d time.Duration) string {
	deadline := time.Now().Add(d)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var bad []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "botrun/host/uncord.") || strings.Contains(g, "host/emulator/uncord.") {
				if !strings.Contains(g, "waitNoLeaks") && !strings.Contains(g, "TestMain") {
					bad = append(bad, g)
				}
			}
		}
		if len(bad) == 0 {
			return ""
		}
		if time.Now().After(deadline) {
			return strings.Join(bad, "\n\n")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// clock is a manual clock shared by the emulator and the code under test.
type clock struct {
	mu sync.Mutex // guards t and slept
	t  time.Time
	// slept records every Sleep request.
	slept []time.Duration
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Sleep advances the clock instead of waiting.
func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.slept = append(c.slept, d)
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return nil
}

func (c *clock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

func startEmu(t *testing.T, opts emu.Options) *emu.Server {
	t.Helper()
	if opts.GlobalLimit == (emu.RateLimit{}) {
		opts.GlobalLimit = emu.RateLimit{Limit: -1}
	}
	s := emu.New(opts)
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newAuth(t *testing.T, s *emu.Server, cfg AuthConfig) *Auth {
	t.Helper()
	cfg.BaseURL = s.URL()
	a, err := NewAuth(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func newClient(t *testing.T, s *emu.Server, c *clock) (*Client, *Auth) {
	t.Helper()
	email, pw := s.Credentials()
	acfg := AuthConfig{Email: email, Password: pw}
	ccfg := ClientConfig{BaseURL: s.URL()}
	if c != nil {
		acfg.Now, acfg.Sleep = c.Now, c.Sleep
		ccfg.Now, ccfg.Sleep = c.Now, c.Sleep
	}
	a := newAuth(t, s, acfg)
	ccfg.Auth = a
	cl, err := NewClient(ccfg)
	if err != nil {
		t.Fatal(err)
	}
	return cl, a
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// next reads one output or fails after a timeout.
func next(t *testing.T, out <-chan emu.Output) emu.Output {
	t.Helper()
	select {
	case o := <-out:
		return o
	case <-time.After(5 * time.Second):
		t.Fatal("no bot output within 5s")
		return emu.Output{}
	}
}
