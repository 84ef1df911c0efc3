package runner

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/js"
	"github.com/botrun/botrun/engine/lua"
)

// logRecorder is a slog handler that keeps every record as text
// ("[script] message k=v ...") so tests can wait for what scripts log.
type logRecorder struct {
	sh    *recShared
	attrs []slog.Attr
}

type recShared struct {
	mu      sync.Mutex // guards lines and changed
	lines   []string
	changed chan struct{} // closed and replaced on every new line
}

func newRecorder() *logRecorder {
	return &logRecorder{sh: &recShared{changed: make(chan struct{})}}
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecorder) WithGroup(string) slog.Handler            { return h }
func (h *logRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &logRecorder{sh: h.sh, attrs: append(append([]slog.Attr(nil), h.attrs...), as...)}
}

func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	script := ""
	var rest []string
	add := func(a slog.Attr) bool {
		if a.Key == "script" {
			script = a.Value.String()
		} else {
			rest = append(rest, a.Key+"="+a.Value.String())
		}
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	line := fmt.Sprintf("[%s] %s %s", script, r.Message, strings.Join(rest, " "))
	h.sh.mu.Lock()
	h.sh.lines = append(h.sh.lines, line)
	close(h.sh.changed)
	h.sh.changed = make(chan struct{})
	h.sh.mu.Unlock()
	return nil
}

func (h *logRecorder) snapshot() []string {
	h.sh.mu.Lock()
	defer h.sh.mu.Unlock()
	return append([]string(nil), h.sh.lines...)
}

// count returns how many lines contain all of subs.
func (h *logRecorder) count(subs ...string) int { return len(h.lines(subs...)) }

// lines returns the lines that contain all of subs, in order.
func (h *logRecorder) lines(subs ...string) []string {
	var out []string
	for _, l := range h.snapshot() {
		ok := true
		for _, s := range subs {
			if !strings.Contains(l, s) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}

// waitFor waits until at least n lines contain all of subs.
func (h *logRecorder) waitFor(t testing.TB, n int, subs ...string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		h.sh.mu.Lock()
		ch := h.sh.changed
		h.sh.mu.Unlock()
		if h.count(subs...) >= n {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("timed out waiting for %d log line(s) with %q; log:\n%s", n, subs, strings.Join(h.snapshot(), "\n"))
		}
	}
}

// loadEvents collects OnLoad reports.
type loadEvents struct {
	mu  sync.Mutex // guards evs
	evs []LoadEvent
	ch  chan LoadEvent
}

func newLoadEvents() *loadEvents { return &loadEvents{ch: make(chan LoadEvent, 1024)} }

func (l *loadEvents) add(ev LoadEvent) {
	l.mu.Lock()
	l.evs = append(l.evs, ev)
	l.mu.Unlock()
	l.ch <- ev
}

// next waits for the next report about script name.
func (l *loadEvents) next(t testing.TB, name string) LoadEvent {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-l.ch:
			if ev.Unit.Name == name {
				return ev
			}
		case <-deadline:
			t.Fatalf("timed out waiting for a load report of %s", name)
		}
	}
}

type fixture struct {
	t      testing.TB
	dir    string
	r      *Runner
	log    *logRecorder
	loads  *loadEvents
	mu     sync.Mutex // guards events
	evs    [][]string
	evCh   chan []string
	cmdCh  chan []Command
	cancel context.CancelFunc
	done   chan struct{}
}

type fixtureOpt func(*Config)

// newFixture writes files into a temp bot dir, loads it with the real Lua
// and JS engines and starts watching.
func newFixture(t testing.TB, files map[string]string, watch bool, opts ...fixtureOpt) *fixture {
	t.Helper()
	before := runtime.NumGoroutine()
	f := &fixture{t: t, dir: t.TempDir(), log: newRecorder(), loads: newLoadEvents(),
		evCh: make(chan []string, 64), cmdCh: make(chan []Command, 64), done: make(chan struct{})}
	writeTree(t, f.dir, files)
	limits := engine.Limits{CPU: 2 * time.Second}
	cfg := Config{
		Dir:     f.dir,
		Engines: []engine.Engine{lua.New(limits), js.New(limits)},
		Host:    &bindings.Host{},
		Log:     slog.New(f.log),
		OnLoad:  f.loads.add,
		OnEvents: func(names []string) {
			f.evCh <- names
		},
		OnCommands:  func(c []Command, _ map[string][]bindings.Route) { f.cmdCh <- c },
		Debounce:    30 * time.Millisecond,
		NotifyDelay: 20 * time.Millisecond,
		Grace:       2 * time.Second,
	}
	for _, o := range opts {
		o(&cfg)
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.r = r
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	if errs := r.Load(ctx); len(errs) > 0 && !strings.Contains(t.Name(), "Bad") {
		t.Fatalf("load: %v", errs)
	}
	if watch {
		// Tests of reloads wait for reports after the initial load.
		for len(f.loads.ch) > 0 {
			<-f.loads.ch
		}
		ready := make(chan struct{})
		r.onWatching = func() { close(ready) }
		go func() {
			defer close(f.done)
			if err := r.Watch(ctx); err != nil {
				t.Errorf("watch: %v", err)
			}
		}()
		<-ready
	} else {
		close(f.done)
	}
	t.Cleanup(func() {
		cancel()
		<-f.done
		closeCtx, c2 := context.WithTimeout(context.Background(), 5*time.Second)
		defer c2()
		if err := r.Close(closeCtx); err != nil {
			t.Errorf("close: %v", err)
		}
		checkGoroutines(t, before)
	})
	return f
}

func (f *fixture) write(name, body string) {
	f.t.Helper()
	writeTree(f.t, f.dir, map[string]string{name: body})
}

func (f *fixture) message(content string) {
	f.r.Dispatch(bindings.Event{Name: "MESSAGE_CREATE",
		Data: []byte(fmt.Sprintf(`{"id":"1","channel_id":"2","content":%q,"author":{"id":"3","username":"tester"}}`, content))})
}

// checkGoroutines fails if goroutines started by the test are still running
// after cleanup (waiting a little for them to finish exiting).
func checkGoroutines(t testing.TB, before int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before+1 {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Errorf("goroutine leak: %d before, %d after\n%s", before, n, buf)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
