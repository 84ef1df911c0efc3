package js

import (
	"github.com/dop251/goja"

	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/jsondoc"
)

const waitLimit = 5 * time.Second

// logSink is a slog.Handler that keeps every record for assertions.
type logSink struct {
	mu      sync.Mutex // guards lines
	lines   []string
	changed chan struct{} // closed and replaced on every record
}

func newLogSink() *logSink { return &logSink{changed: make(chan struct{})} }

func (l *logSink) Enabled(context.Context, slog.Level) bool { return true }
func (l *logSink) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logSink) WithGroup(string) slog.Handler            { return l }
func (l *logSink) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Level.String() + " " + r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.Key + "=" + a.Value.String())
		return true
	})
	l.mu.Lock()
	l.lines = append(l.lines, b.String())
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
	return nil
}

func (l *logSink) snapshot() ([]string, chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...), l.changed
}

// wait returns the first record containing every part.
func (l *logSink) wait(t *testing.T, parts ...string) string {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		lines, changed := l.snapshot()
		for _, line := range lines {
			if containsAll(line, parts) {
				return line
			}
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no log record with %q; got:\n%s", parts, strings.Join(lines, "\n"))
		}
	}
}

// messages returns the message text of INFO records in order.
func (l *logSink) infos() []string {
	lines, _ := l.snapshot()
	var out []string
	for _, line := range lines {
		if rest, ok := strings.CutPrefix(line, "INFO "); ok {
			out = append(out, rest)
		}
	}
	return out
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// writeBot writes files (path → content) into a fresh bot directory.
func writeBot(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type loaded struct {
	engine.Script
	log *logSink
	bs  *bindings.Script
}

type loadOpts struct {
	limits engine.Limits
	host   *bindings.Host
	config map[string]any
}

// loadScript loads entry from dir, starts it and closes it at cleanup.
func loadScript(t *testing.T, dir, entry string, o loadOpts) *loaded {
	t.Helper()
	s, err := tryLoad(t, dir, entry, o)
	if err != nil {
		t.Fatalf("load %s: %v", entry, err)
	}
	return s
}

func tryLoad(t *testing.T, dir, entry string, o loadOpts) (*loaded, error) {
	t.Helper()
	sink := newLogSink()
	name := strings.TrimSuffix(filepath.Base(entry), ".js")
	bs := &bindings.Script{
		Name:   name,
		Path:   entry,
		Config: o.config,
		Log:    slog.New(sink).With("script", name),
		Host:   o.host,
		Reg:    bindings.NewRegistry(nil),
	}
	e := New(o.limits)
	s, err := e.Load(context.Background(), engine.Unit{Name: name, Path: entry, Dir: dir, Lang: "js"}, bs)
	if err != nil {
		return &loaded{log: sink, bs: bs}, err
	}
	s.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		s.Close(ctx)
	})
	return &loaded{Script: s, log: sink, bs: bs}, nil
}

// deliver sends an event with JSON data (parsed once, as the runner does).
func (l *loaded) deliver(t *testing.T, name string, data string) {
	t.Helper()
	l.deliverEvent(t, bindings.Event{Name: name, Data: json.RawMessage(data)})
}

func (l *loaded) deliverEvent(t *testing.T, ev bindings.Event) {
	t.Helper()
	var doc *jsondoc.Doc
	if len(ev.Data) > 0 {
		var err error
		if doc, err = jsondoc.Parse(ev.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Deliver(&engine.Delivery{Event: ev, Doc: doc}); err != nil {
		t.Fatalf("deliver %s: %v", ev.Name, err)
	}
}

func messageCreate(t testing.TB) string {
	b, err := os.ReadFile("testdata/message_create.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkNoLeak fails when goroutines started during the test outlive it.
func checkNoLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(waitLimit)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				n := runtime.Stack(buf, true)
				t.Fatalf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:n])
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

func eventWithAlias(name, data string, aliases ...string) bindings.Event {
	return bindings.Event{Name: name, Data: json.RawMessage(data), Aliases: aliases}
}

func newTestScript(name, path string, sink *logSink) *bindings.Script {
	return &bindings.Script{Name: name, Path: path, Log: slog.New(sink), Reg: bindings.NewRegistry(nil)}
}

type goja_Value = goja.Value

func writeFile(t testing.TB, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func assertCallable(v goja.Value) (func(this goja.Value, args ...goja.Value) (goja.Value, error), bool) {
	f, ok := goja.AssertFunction(v)
	return f, ok
}
