package loop

import (
	"sync/atomic"
	"testing"
	"time"
)

func monoClock() func() time.Duration {
	base := time.Now()
	return func() time.Duration { return time.Since(base) }
}

// A timer that fires while no script code runs does nothing.
func TestWatchIdleFire(t *testing.T) {
	var expired atomic.Int32
	clock := monoClock()
	w := NewWatch(clock, func() { expired.Add(1) })
	defer w.Stop()
	// The deadline is far enough that the stretch always ends before it,
	// however long the machine keeps this goroutine from running between
	// Arm and Disarm; the timer still fires, with nothing to expire.
	w.Disarm(w.Arm(clock()+200*time.Millisecond, false))
	// Wait until the timer has fired (it clears pending).
	deadline := time.Now().Add(5 * time.Second)
	for {
		w.mu.Lock()
		p := w.pending
		w.mu.Unlock()
		if !p {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("timer never fired")
		}
		time.Sleep(time.Millisecond) // polling a flag the timer goroutine clears
	}
	if n := expired.Load(); n != 0 {
		t.Fatalf("idle timer expired %d stretch(es)", n)
	}
}

// A nested stretch gives the outer one back: the outer's deadline is still
// enforced after the inner ends early.
func TestWatchNestedRestoresOuter(t *testing.T) {
	expired := make(chan struct{}, 1)
	clock := monoClock()
	w := NewWatch(clock, func() {
		select {
		case expired <- struct{}{}:
		default:
		}
	})
	defer w.Stop()
	outer := w.Arm(clock()+30*time.Millisecond, false)
	inner := w.Arm(clock()+time.Hour, false)
	w.Disarm(inner)
	select {
	case <-expired:
	case <-time.After(5 * time.Second):
		t.Fatal("the outer stretch was never expired")
	}
	w.Disarm(outer)
}
