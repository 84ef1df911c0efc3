package bindings

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func waitPosted(t *testing.T, f *fixture) Callback {
	t.Helper()
	select {
	case cb := <-f.env.posted:
		return cb
	case <-time.After(5 * time.Second):
		t.Fatal("timer never fired")
		return nil
	}
}

func noPost(t *testing.T, f *fixture, within time.Duration) {
	t.Helper()
	select {
	case cb := <-f.env.posted:
		t.Fatalf("unexpected callback %v", cb)
	case <-time.After(within):
	}
}

func TestTimerAfter(t *testing.T) {
	f := newFixture(t)
	cb := testCallback{"later"}
	h, err := f.call("timer.after", int64(1), cb)
	if err != nil {
		t.Fatal(err)
	}
	if o := h.(*Object); o.Kind != KindTimer {
		t.Fatalf("timer.after returned kind %q", o.Kind)
	}
	if got := waitPosted(t, f); got != cb {
		t.Fatalf("posted %v, want %v", got, cb)
	}
	waitFor(t, "the fired timer to release its slot", func() bool { return f.env.Pending() == 0 })
	// Cancelling a fired timer is harmless.
	if _, err := f.method(h.(*Object), "cancel"); err != nil {
		t.Fatal(err)
	}
}

func TestTimerCancel(t *testing.T) {
	f := newFixture(t)
	h, err := f.call("timer.after", int64(20), testCallback{"never"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.call("timer.cancel", h); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the cancelled timer to release its slot", func() bool { return f.env.Pending() == 0 })
	noPost(t, f, 40*time.Millisecond)

	if _, err := f.call("timer.cancel", nil); err != nil {
		t.Errorf("timer.cancel(nil): %v", err)
	}
	sub, _ := f.call("on", "READY", testCallback{})
	if _, err := f.call("timer.cancel", sub); err == nil || !strings.Contains(err.Error(), "got a subscription handle") {
		t.Errorf("timer.cancel(subscription) = %v", err)
	}
}

func TestTimerEvery(t *testing.T) {
	f := newFixture(t)
	h, err := f.call("timer.every", int64(10), testCallback{"tick"})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		waitPosted(t, f)
	}
	if _, err := f.method(h.(*Object), "cancel"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the interval to stop", func() bool { return f.env.Pending() == 0 })
	// At most one tick may have been in flight when cancel ran.
	for len(f.env.posted) > 0 {
		<-f.env.posted
	}
	noPost(t, f, 30*time.Millisecond)
}

func TestTimersStopWhenScriptRetires(t *testing.T) {
	f := newFixture(t)
	if _, err := f.call("timer.every", int64(10), testCallback{"tick"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.call("timer.after", int64(60_000), testCallback{"late"}); err != nil {
		t.Fatal(err)
	}
	if f.env.Pending() != 2 {
		t.Fatalf("pending = %d, want 2", f.env.Pending())
	}
	f.cancel()
	waitFor(t, "timers to release their slots after retirement", func() bool { return f.env.Pending() == 0 })
}

func TestTimerStopsWhenPostRefused(t *testing.T) {
	f := newFixture(t)
	if _, err := f.call("timer.every", int64(10), testCallback{"tick"}); err != nil {
		t.Fatal(err)
	}
	f.env.mu.Lock()
	f.env.retired = true
	f.env.mu.Unlock()
	waitFor(t, "the interval to stop once Post fails", func() bool { return f.env.Pending() == 0 })
}

func TestTimerUsage(t *testing.T) {
	tests := []struct {
		fn   string
		args []any
		want string
	}{
		{"timer.every", []any{int64(1), testCallback{}}, "interval must be at least 10ms"},
		{"timer.after", []any{int64(-1), testCallback{}}, "must not be negative"},
		{"timer.after", []any{"10", testCallback{}}, "milliseconds) must be a number, got string"},
		{"timer.after", []any{int64(10)}, "second argument must be a function, got nil"},
		{"timer.after", []any{1e12, testCallback{}}, "longer than 2147483647 ms"},
		{"sleep", []any{}, "expects 1 argument(s), got none"},
	}
	for _, tt := range tests {
		f := newFixture(t)
		_, err := f.call(tt.fn, tt.args...)
		if ue := usageErr(t, err); !strings.Contains(ue.Msg, tt.want) {
			t.Errorf("%s%v = %q, want %q", tt.fn, tt.args, err, tt.want)
		}
		if f.env.Pending() != 0 {
			t.Errorf("%s%v: a rejected timer holds a slot", tt.fn, tt.args)
		}
	}
}

func TestTimerLimit(t *testing.T) {
	f := newFixture(t)
	for range 10 {
		if _, err := f.call("timer.after", int64(60_000), testCallback{}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.call("timer.after", int64(1), testCallback{})
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("11th timer = %v, want ErrLimit", err)
	}
	f.cancel()
	waitFor(t, "timers to release", func() bool { return f.env.Pending() == 0 })
}

func TestSleep(t *testing.T) {
	f := newFixture(t)
	start := time.Now()
	if _, err := f.call("sleep", int64(5)); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 5*time.Millisecond {
		t.Error("sleep returned early")
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	f.ctx = ctx
	retired := errors.New("script reloaded")
	time.AfterFunc(5*time.Millisecond, func() { cancel(retired) })
	_, err := f.call("sleep", int64(60_000))
	if !errors.Is(err, retired) {
		t.Errorf("sleep interrupted by retirement = %v, want the cancel cause", err)
	}
}

// trackingEnv holds posted callbacks until the test runs them, like a
// script that is busy.
type trackingEnv struct {
	*testEnv
	mu    sync.Mutex // guards dones
	dones []func()
}

func (e *trackingEnv) PostTracked(cb Callback, done func(), args ...any) bool {
	if !e.Post(cb, args...) {
		done()
		return false
	}
	e.mu.Lock()
	e.dones = append(e.dones, done)
	e.mu.Unlock()
	return true
}

// runAll marks every queued callback as run.
func (e *trackingEnv) runAll() {
	e.mu.Lock()
	dones := e.dones
	e.dones = nil
	e.mu.Unlock()
	for _, d := range dones {
		d()
	}
}

func TestTimerEverySkipsTicksWhileBehind(t *testing.T) {
	f := newFixture(t)
	env := &trackingEnv{testEnv: f.env}
	f.script.Env = env
	h, err := f.call("timer.every", int64(10), testCallback{"tick"})
	if err != nil {
		t.Fatal(err)
	}
	waitPosted(t, f)
	// The script has not run the first tick: later ticks are skipped.
	noPost(t, f, 50*time.Millisecond)
	env.runAll()
	waitPosted(t, f)
	if _, err := f.method(h.(*Object), "cancel"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the interval to stop", func() bool { return f.env.Pending() == 0 })
}
