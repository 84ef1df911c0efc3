package lua

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// interrupter is the one context every coroutine of a VM runs under.
// gopher-lua checks ctx.Done() before every instruction; closing the
// channel stops the running code at the next instruction. One long-lived
// context with a reused timer replaces a context.WithTimeout per resume,
// which cost more than the handler call itself.
//
// Three things close it: the CPU budget of the current stretch, the heap
// watchdog (only while script code runs), and the end of the script (the
// loop context), which closes it for good.
//
// The budget timer is lazy: a stretch that starts while the timer is
// already due at or before the stretch's deadline leaves it alone, and a
// stretch that ends does not stop it. When it fires it stops the stretch it
// was set for if that one is still running, re-aims at the deadline of a
// later stretch, or does nothing. Handlers that return in microseconds thus
// cost no timer operation at all; the timer fires about once per budget
// while events keep coming.
type interrupter struct {
	done atomic.Pointer[chan struct{}] // read per instruction, without a lock

	mu       sync.Mutex    // guards everything below, and swapping done
	closed   bool          // the current channel is closed
	cause    error         // why it was closed
	armed    bool          // script code is running (between arm and disarm)
	dead     bool          // the script is over: stay closed
	stretch  uint64        // counts arms: identifies the running stretch
	deadline time.Duration // when the running stretch's budget ends, on clock
	pending  bool          // the timer is set, for timerFor at timerAt
	timerFor uint64
	timerAt  time.Duration
	timer    *time.Timer
	clock    func() time.Duration
}

// errBudget is the cause for a stretch that ran out of CPU budget.
var errBudget = errors.New("cpu budget exceeded")

func newInterrupter(scriptCtx context.Context, clock func() time.Duration) *interrupter {
	c := &interrupter{clock: clock}
	ch := make(chan struct{})
	c.done.Store(&ch)
	c.timer = time.AfterFunc(time.Hour, c.timerFired)
	c.timer.Stop()
	context.AfterFunc(scriptCtx, func() { c.fire(context.Cause(scriptCtx), true) })
	return c
}

// fire closes the channel for cause. Budget and watchdog interrupts only
// count while code runs; the end of the script always does.
func (c *interrupter) fire(cause error, final bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if final {
		c.dead = true
		c.timer.Stop()
		c.pending = false
	} else if !c.armed {
		return false
	}
	c.closeLocked(cause)
	return true
}

func (c *interrupter) closeLocked(cause error) {
	if !c.closed {
		c.closed = true
		c.cause = cause
		close(*c.done.Load())
	}
}

// timerFired runs on the timer's goroutine.
func (c *interrupter) timerFired() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = false
	switch {
	case !c.armed || c.dead:
	case c.timerFor == c.stretch:
		// The stretch the timer was set for has run its whole budget.
		c.closeLocked(errBudget)
	default:
		left := c.deadline - c.clock()
		if left <= 0 {
			c.closeLocked(errBudget)
			return
		}
		c.setLocked(left)
	}
}

func (c *interrupter) setLocked(left time.Duration) {
	c.timer.Reset(left)
	c.pending = true
	c.timerFor = c.stretch
	c.timerAt = c.deadline
}

// arm starts a stretch of script code that began at began (on the
// engine's clock) with left of its budget. exact sets the timer for this
// stretch even when it is already due sooner: a handler resuming after a
// wait has only the rest of its budget, and a timer that first fires for
// an older stretch and then re-aims would add a second timer latency to
// that small rest.
func (c *interrupter) arm(began, left time.Duration, exact bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed && !c.dead {
		ch := make(chan struct{})
		c.done.Store(&ch)
		c.closed, c.cause = false, nil
	}
	c.armed = true
	c.stretch++
	c.deadline = began + left
	if exact || !c.pending || c.timerAt > c.deadline {
		c.setLocked(left)
	}
}

// disarm ends the stretch and returns why it was interrupted, or nil. The
// timer stays set: see the type's comment.
func (c *interrupter) disarm() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armed = false
	return c.cause
}

// context.Context, as gopher-lua sees it.

func (c *interrupter) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *interrupter) Done() <-chan struct{}       { return *c.done.Load() }
func (c *interrupter) Value(any) any               { return nil }

func (c *interrupter) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !c.closed:
		return nil
	case errors.Is(c.cause, errBudget):
		return context.DeadlineExceeded
	default:
		return context.Canceled
	}
}
