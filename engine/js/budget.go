package js

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"

	"github.com/botrun/botrun/engine/loop"
)

// The CPU budget of the running invocation is watched by one timer per
// script that is not reset for every handler call: it is due at the
// deadline of the run that armed it, and when it fires while a later run
// is on the VM it looks at that run's deadline and either interrupts it
// or sets itself for it. A busy script thus pays a lock and a clock
// reading per handler call instead of starting and stopping a timer;
// the timer is set again only when it is idle or due later than the new
// run's deadline (a resumed handler with little budget left).

// interruptGuard closes the race goja documents for ClearInterrupt: the
// budget timer may fire just as the invocation returns. The timer only
// interrupts while armed, and disarming happens under the same lock, so
// once disarm returns no stale interrupt can reach the next invocation.
type interruptGuard struct {
	vm      *goja.Runtime
	tripped atomic.Bool // the budget ran out: native loops bail out too

	mu sync.Mutex // guards the fields below and serialises fire against disarm
	at armed      // the run being watched; at.b is nil between runs
	t  *time.Timer
	// due is when t fires; zero when it is not pending (or when a
	// pending firing will find nothing armed and may be ignored).
	due time.Time
}

// armed is the watch of one run: its budget, what it is (for the error)
// and when its budget runs out.
type armed struct {
	b        *loop.Budget
	what     string
	deadline time.Time
}

// arm watches a run of b until deadline (monoNow's clock) and returns
// what was watched before (a nested run restores it on disarm).
func (g *interruptGuard) arm(b *loop.Budget, what string, deadline time.Time) armed {
	g.mu.Lock()
	prev := g.at
	g.at = armed{b: b, what: what, deadline: deadline}
	g.tripped.Store(false)
	if g.due.IsZero() || deadline.Before(g.due) {
		g.due = deadline
		rem := max(time.Until(deadline), time.Nanosecond)
		if g.t == nil {
			g.t = time.AfterFunc(rem, g.fire)
		} else {
			g.t.Reset(rem)
		}
	}
	g.mu.Unlock()
	return prev
}

// disarm ends the watch of the current run, restoring prev's.
func (g *interruptGuard) disarm(prev armed) {
	g.mu.Lock()
	g.at = prev
	if prev.b != nil && (g.due.IsZero() || prev.deadline.Before(g.due)) {
		g.due = prev.deadline
		g.t.Reset(max(time.Until(prev.deadline), time.Nanosecond))
	}
	g.mu.Unlock()
}

// fire is the timer's callback.
func (g *interruptGuard) fire() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.at.b == nil {
		g.due = time.Time{}
		return
	}
	if left := g.at.deadline.Sub(monoNow()); left > 0 {
		g.due = g.at.deadline
		g.t.Reset(left)
		return
	}
	g.due = time.Time{}
	g.tripped.Store(true)
	g.vm.Interrupt(g.at.b.Exceeded(g.at.what))
}

// stop cancels the timer for good (the script is closed).
func (g *interruptGuard) stop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.at = armed{}
	if g.t != nil {
		g.t.Stop()
	}
	g.due = time.Time{}
}

// interruptIfRunning stops the running invocation, if any, for the heap
// watchdog. It reports whether something was running.
func (g *interruptGuard) interruptIfRunning(vm *goja.Runtime, why error) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.at.b == nil {
		return false
	}
	vm.Interrupt(why)
	return true
}
