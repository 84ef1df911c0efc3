package lua

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The budget timer is left set across stretches; a runaway stretch that
// follows many short ones must still be stopped at about its own deadline.
func TestInterrupterStopsRunawayAfterShortStretches(t *testing.T) {
	tests := []struct {
		name string
		now  func() time.Duration
	}{
		{"real clock", monotonic(nil)},
		// A clock that never moves: the stretch the timer was set for is
		// still stopped, and a later one at most one budget later.
		{"frozen clock", monotonic(func() time.Time { return time.Unix(1000, 0) })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c := newInterrupter(ctx, tt.now)
			const budget = 30 * time.Millisecond
			for range 1000 {
				c.arm(tt.now(), budget, false)
				if err := c.disarm(); err != nil {
					t.Fatalf("short stretch interrupted: %v", err)
				}
			}
			start := time.Now()
			c.arm(tt.now(), budget, false)
			select {
			case <-c.interrupted():
			case <-time.After(5 * time.Second):
				t.Fatal("runaway stretch not interrupted")
			}
			if ch := c.Done(); ch == nil || !isClosed(ch) {
				t.Fatal("Done is not the closed channel after the interrupt")
			}
			el := time.Since(start)
			if err := c.disarm(); !errors.Is(err, errBudget) {
				t.Fatalf("cause = %v, want errBudget", err)
			}
			if !errors.Is(c.Err(), context.DeadlineExceeded) {
				t.Fatalf("Err = %v", c.Err())
			}
			if el > 2*budget+time.Second {
				t.Fatalf("stopped after %v, budget %v", el, budget)
			}
			// The next stretch starts with an open channel.
			c.arm(tt.now(), time.Hour, false)
			select {
			case <-c.Done():
				t.Fatal("next stretch starts interrupted")
			default:
			}
			if err := c.disarm(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The end of the script closes the context for good (an idle timer
// firing does nothing: engine/loop's TestWatchIdleFire).
func TestInterrupterIdleFireAndEnd(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	clock := monotonic(nil)
	c := newInterrupter(ctx, clock)
	c.arm(clock(), time.Millisecond, false)
	c.disarm()
	select {
	case <-c.Done():
		t.Fatal("idle timer closed the context")
	default:
	}
	cancel()
	select {
	case <-c.interrupted():
	case <-time.After(5 * time.Second):
		t.Fatal("end of script did not close the context")
	}
	c.arm(clock(), time.Hour, false)
	select {
	case <-c.Done():
	default:
		t.Fatal("a stretch after the end of the script must start interrupted")
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
