package js

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"

	"github.com/botrun/botrun/engine/loop"
)

// interruptGuard enforces the CPU budget of the running invocation with a
// loop.Watch (one timer per script, not reset per handler call) and closes
// the race goja documents for ClearInterrupt: the watch only expires a
// stretch while one is armed, and disarming waits for an expiry in
// progress, so once disarm returns no stale interrupt can reach the next
// invocation.
type interruptGuard struct {
	vm      *goja.Runtime
	tripped atomic.Bool // the budget ran out: native loops bail out too
	watch   *loop.Watch // nil until the first arm

	// mu guards at. Lock order: the watch's lock, then mu (the watch
	// expires a stretch holding its own).
	mu sync.Mutex
	at armed // the run being watched; at.b is nil between runs
}

// armed is the watch of one run: its budget and what it is (for the
// error), and the stretch it replaced.
type armed struct {
	b     *loop.Budget
	what  string
	outer loop.Stretch
}

// sinceBase is the watch's clock: the budget clock as a duration since
// monoBase.
func sinceBase() time.Duration { return time.Since(monoBase) }

// arm watches a run of b until deadline (sinceBase's clock) and returns
// what was watched before (a nested run restores it on disarm).
func (g *interruptGuard) arm(b *loop.Budget, what string, deadline time.Duration) armed {
	if g.watch == nil {
		g.watch = loop.NewWatch(sinceBase, g.expire)
	}
	g.mu.Lock()
	prev := g.at
	g.at = armed{b: b, what: what}
	g.mu.Unlock()
	if g.tripped.Load() { // a load is cheaper than a store, and it is mostly false
		g.tripped.Store(false)
	}
	prev.outer = g.watch.Arm(deadline, false)
	return prev
}

// disarm ends the watch of the current run, restoring prev's.
func (g *interruptGuard) disarm(prev armed) {
	g.watch.Disarm(prev.outer)
	g.mu.Lock()
	g.at = prev
	g.mu.Unlock()
}

// expire is the watch's: the running invocation is out of budget.
func (g *interruptGuard) expire() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.at.b == nil {
		return
	}
	g.tripped.Store(true)
	g.vm.Interrupt(g.at.b.Exceeded(g.at.what))
}

// stop cancels the timer for good (the script is closed).
func (g *interruptGuard) stop() {
	if g.watch != nil {
		g.watch.Stop()
	}
	g.mu.Lock()
	g.at = armed{}
	g.mu.Unlock()
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
