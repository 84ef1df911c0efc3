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
// Three things close it: the CPU budget timer of the current stretch, the
// heap watchdog (only while script code runs), and the end of the script
// (the loop context), which closes it for good.
type interrupter struct {
	done atomic.Pointer[chan struct{}] // read per instruction, without a lock

	mu     sync.Mutex // guards closed, cause, armed, dead, and swapping done
	closed bool       // the current channel is closed
	cause  error      // why it was closed
	armed  bool       // script code is running (between arm and disarm)
	dead   bool       // the script is over: stay closed
	timer  *time.Timer
}

// errBudget is the cause for a stretch that ran out of CPU budget.
var errBudget = errors.New("cpu budget exceeded")

func newInterrupter(scriptCtx context.Context) *interrupter {
	c := &interrupter{}
	ch := make(chan struct{})
	c.done.Store(&ch)
	c.timer = time.AfterFunc(time.Hour, func() { c.fire(errBudget, false) })
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

// arm starts a stretch of script code with budget left.
func (c *interrupter) arm(left time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed && !c.dead {
		ch := make(chan struct{})
		c.done.Store(&ch)
		c.closed, c.cause = false, nil
	}
	c.armed = true
	c.timer.Reset(left)
}

// disarm ends the stretch and returns why it was interrupted, or nil.
func (c *interrupter) disarm() error {
	c.timer.Stop()
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
