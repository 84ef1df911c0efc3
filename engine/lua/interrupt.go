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

	// armed and closed change under mu; arm and disarm read them without
	// it, so that a stretch which nothing interrupted takes no lock here.
	armed  atomic.Bool // script code is running (between arm and disarm)
	closed atomic.Bool // the current channel is closed

	// mu guards the fields below, swapping done, and the changes of
	// armed and closed. Lock order: the watch's lock, then mu (the watch
	// expires a stretch holding its own).
	mu    sync.Mutex
	cause error // why it was closed
	dead  bool  // the script is over: stay closed
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
	} else if !c.armed.Load() {
		return false
	}
	if !c.closed.Load() {
		c.cause = cause
		c.closed.Store(true)
		close(*c.done.Load())
	}
	return true
}

// arm starts a stretch of script code that began at began (on the
// engine's clock) with left of its budget; exact is loop.Watch.Arm's.
// Only the loop goroutine arms and disarms. An interrupt that finds the
// stretch not armed is dropped, as one that comes between two stretches.
func (c *interrupter) arm(began, left time.Duration, exact bool) {
	if c.closed.Load() {
		c.mu.Lock()
		if c.closed.Load() && !c.dead {
			ch := make(chan struct{})
			c.done.Store(&ch)
			c.cause = nil
			c.closed.Store(false)
		}
		c.armed.Store(true)
		c.mu.Unlock()
	} else {
		// Nothing to renew. An interrupt that closes the channel from
		// here on finds the stretch armed, or is the script's end,
		// which stops it whether armed or not.
		c.armed.Store(true)
	}
	c.watch.Arm(began+left, exact)
}

// disarm ends the stretch and returns why it was interrupted, or nil. An
// interrupt racing with the end of the stretch may close the channel after
// disarm has looked; the code it was meant for has returned, and the next
// arm renews the channel.
func (c *interrupter) disarm() error {
	c.watch.Disarm(loop.Stretch{})
	c.armed.Store(false)
	if !c.closed.Load() {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cause
}

// context.Context, as gopher-lua sees it.

func (c *interrupter) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *interrupter) Value(any) any               { return nil }

// Done returns nil (never ready) until the current stretch is
// interrupted, then the closed channel. gopher-lua polls Done before
// every instruction in a select with a default case: receiving from a nil
// channel there returns at once, where an open channel's state is loaded
// and checked first, a few percent of a short handler's time. It departs
// from context.Context, whose Done stays the same channel: the
// interrupter is only ever handed to gopher-lua, which never blocks on
// it (its channel library, the one place that would, is not loaded).
func (c *interrupter) Done() <-chan struct{} {
	if c.closed.Load() {
		return *c.done.Load()
	}
	return nil
}

// interrupted is the channel closed when the current stretch is
// interrupted, for tests to wait on.
func (c *interrupter) interrupted() <-chan struct{} { return *c.done.Load() }

func (c *interrupter) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !c.closed.Load():
		return nil
	case errors.Is(c.cause, errBudget):
		return context.DeadlineExceeded
	default:
		return context.Canceled
	}
}
