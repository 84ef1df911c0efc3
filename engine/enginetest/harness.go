package enginetest

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
)

// NewEngine builds the engine under test with the scenario's limits.
type NewEngine func(engine.Limits) engine.Engine

// Harness loads scripts of one engine against a recording host.
type Harness struct {
	T    testing.TB
	New  NewEngine
	Rec  *Recorder
	Host *Host
	Dir  string // the bot directory
}

// NewHarness returns a harness over dir with a fresh transcript and store.
func NewHarness(t testing.TB, dir string, newEngine NewEngine) *Harness {
	rec := NewRecorder()
	return &Harness{T: t, New: newEngine, Rec: rec, Host: NewHost(rec), Dir: dir}
}

// ScenarioDir is engine/testdata/scenarios, found from this source file so
// tests of any package can use it.
func ScenarioDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "scenarios")
}

// Load loads path (relative to Dir) as a script named name with limits.
func (h *Harness) Load(name, path string, limits engine.Limits) (engine.Script, error) {
	eng := h.New(limits)
	u := engine.Unit{Name: name, Path: path, Dir: h.Dir, Lang: eng.Lang()}
	bs := &bindings.Script{
		Name:   name,
		Path:   path,
		Config: map[string]any{"greeting": "hello", "answer": 42},
		Log:    h.Rec.Logger(),
		Host:   h.Host.Bindings(),
		Reg:    bindings.NewRegistry(nil),
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	return eng.Load(ctx, u, bs)
}

// Start loads path as a script named name with limits and starts it; the
// test fails if it does not load, and the script is closed when the test
// ends.
func (h *Harness) Start(name, path string, limits engine.Limits) engine.Script {
	h.T.Helper()
	s, err := h.Load(name, path, limits)
	if err != nil {
		h.T.Fatal(err)
	}
	h.T.Cleanup(func() { h.Close(s) })
	s.Start()
	return s
}

// Deliver delivers ev to s as the runner does (engine.NewDelivery), out
// of a buffer that is overwritten as soon as the delivery is queued, as the
// gateway reuses its read buffer: every scenario thereby checks that no
// script reads the caller's bytes after the fact.
func Deliver(s engine.Script, ev bindings.Event) error {
	buf := bytes.Clone(ev.Data)
	ev.Data = buf
	err := s.Deliver(engine.NewDelivery(ev, nil))
	for i := range buf {
		buf[i] = '#'
	}
	return err
}

// NewDelivery is engine.NewDelivery for tests and benchmarks: it fails tb
// if ev's data does not parse.
func NewDelivery(tb testing.TB, ev bindings.Event) *engine.Delivery {
	tb.Helper()
	d := engine.NewDelivery(ev, nil)
	if _, ok, err := d.Root(); !ok {
		tb.Fatal(err)
	}
	return d
}

// Close closes s, failing the test if that takes longer than the harness
// timeout.
func (h *Harness) Close(s engine.Script) {
	h.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := s.Close(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		h.T.Errorf("close: %v", err)
	}
}

// Expect waits for patterns, in order, from transcript position from.
func (h *Harness) Expect(from int, patterns ...string) int {
	h.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	n, err := h.Rec.WaitSeq(ctx, from, patterns...)
	if err != nil {
		h.T.Fatal(err)
	}
	return n
}

// RunAll runs every scenario of [Scenarios] against the engine, each as a
// subtest, skipping those whose script for the engine's language does not
// exist yet.
func RunAll(t *testing.T, newEngine NewEngine) {
	for _, sc := range Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			Run(t, newEngine, sc)
		})
	}
}

// Run runs one scenario.
func Run(t *testing.T, newEngine NewEngine, sc Scenario) {
	// A token in the environment that no script may ever see.
	t.Setenv("DISCORD_TOKEN", "SECRET-TOKEN")
	dir := ScenarioDir()
	h := NewHarness(t, dir, newEngine)
	if sc.Setup != nil {
		h.Dir = sc.Setup(t, dir)
	}
	ext := "." + newEngine(engine.Limits{}).Lang()
	path := sc.Name + ext
	if sc.Path != "" {
		path = strings.ReplaceAll(sc.Path, "{ext}", ext[1:])
	}
	if !exists(filepath.Join(h.Dir, path)) {
		t.Skipf("no %s scenario script", path)
	}
	subst := func(ps []string) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = strings.ReplaceAll(p, "{ext}", ext[1:])
		}
		return out
	}
	s, err := h.Load(sc.Name, path, sc.Limits)
	if sc.LoadError != "" {
		if err == nil {
			h.Close(s)
			t.Fatalf("load succeeded, want error %q", sc.LoadError)
		}
		want := subst([]string{sc.LoadError})[0]
		if !Match(want, err.Error()) {
			t.Fatalf("load error %q, want %q", err.Error(), want)
		}
		return
	}
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	s.Start()
	var others []engine.Script
	for _, name := range sc.Also {
		o, err := h.Load(name, name+ext, sc.Limits)
		if err != nil {
			t.Fatalf("load %s: %v", name, err)
		}
		o.Start()
		others = append(others, o)
	}
	defer func() {
		for _, o := range others {
			h.Close(o)
		}
	}()
	pos := h.Expect(0, subst(sc.AfterLoad)...)
	for _, step := range sc.Steps {
		if step.Restart {
			h.Close(s)
			if s, err = h.Load(sc.Name, path, sc.Limits); err != nil {
				t.Fatalf("reload: %v", err)
			}
			s.Start()
		}
		for _, ev := range step.Events {
			for _, to := range append([]engine.Script{s}, others...) {
				if err := Deliver(to, ev); err != nil {
					t.Fatalf("deliver %s: %v", ev.Name, err)
				}
			}
		}
		pos = h.Expect(pos, subst(step.Expect)...)
	}
	h.Close(s)
	entries := h.Rec.Entries()
	for _, p := range subst(sc.Never) {
		for _, e := range entries {
			if Match(p, e) {
				t.Errorf("transcript has %q, which must never happen (pattern %q)", e, p)
			}
		}
	}
}
