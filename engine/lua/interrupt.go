package lua

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/botrun/botrun/engine/loop"
)

// interrupter is the one context every coroutine of a VM runs under.
// gopher-lua checks ctx.Done() before every instruction; closing the
// channel stops the running code at the next instruction. One long-lived
// context replaces a context.WithTimeout per resume, which cost more than
// the handler call itself.
//
// Three things close it: the CPU budget of the current stretch (through a
// loop.Watch, whose timer is not reset per handler call), the heap
// watchdog (only while script code runs), and the end of the script (the
// loop context), which closes it for good.
type interrupter struct {
	done  atomic.Pointer[chan struct{}] // read per instruction, without a lock
	watch *loop.Watch

	// mu guards the fields below, and swapping done. Lock order: the
	// watch's lock, then mu (the watch expires a stretch holding its own).
	mu     sync.Mutex
	closed bool  // the current channel is closed
	cause  error // why it was closed
	armed  bool  // script code is running (between arm and disarm)
	dead   bool  // the script is over: stay closed
}

// errBudget is the cause for a stretch that ran out of CPU budget.
var errBudget = errors.New("cpu budget exceeded")

func newInterrupter(scriptCtx context.Context, clock func() time.Duration) *interrupter {
	c := &interrupter{}
	ch := make(chan struct{})
	c.done.Store(&ch)
	c.watch = loop.NewWatch(clock, func() { c.fire(errBudget, false) })
	context.AfterFunc(scriptCtx, func() { c.fire(context.Cause(scriptCtx), true) })
	return c
}

// fire closes the channel for cause. Budget and watchdog interrupts only
// count while code runs; the end of the script always does.
func (c *interrupter) fire(cause error, final bool) bool {
	if final {
		c.watch.Stop() // before mu: see the lock order
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if final {
		c.dead = true
	} else if !c.armed {
		return false
	}
	if !c.closed {
		c.closed = true
		c.cause = cause
		close(*c.done.Load())
	}
	return true
}

// arm starts a stretch of script code that began at began (on the
// engine's clock) with left of its budget; exact is loop.Watch.Arm's.
func (c *interrupter) arm(began, left time.Duration, exact bool) {
	c.mu.Lock()
	if c.closed && !c.dead {
		ch := make(chan struct{})
		c.done.Store(&ch)
		c.closed, c.cause = false, nil
	}
	c.armed = true
	c.mu.Unlock()
	c.watch.Arm(began+left, exact)
}

// disarm ends the stretch and returns why it was interrupted, or nil.
func (c *interrupter) disarm() error {
	c.watch.Disarm(loop.Stretch{})
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
