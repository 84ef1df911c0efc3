package loop

import (
	"sync"
	"time"
)

// Watch stops a stretch of script code that runs past its budget's
// deadline, with one timer per script that is not started and stopped for
// every handler call: a stretch that starts while the timer is already due
// at or before its deadline leaves it alone, and a stretch that ends does
// not stop it. When the timer fires it expires the stretch it was set for
// if that one still runs, re-aims at the deadline of a later stretch, or
// does nothing. Handlers that return in microseconds thus cost a lock and
// no timer operation; the timer fires about once per budget while events
// keep coming. Both engines enforce their CPU budgets with it.
type Watch struct {
	clock  func() time.Duration // monotonic; deadlines are on this clock
	expire func()               // stops the running code; called with mu held

	// mu guards the fields below. expire runs under it, so once Disarm
	// returns no late expiry can reach the next stretch.
	mu       sync.Mutex
	cur      Stretch
	next     uint64 // counts Arm calls: identifies stretches
	stopped  bool
	timer    *time.Timer
	pending  bool // the timer is set, for timerFor at timerAt
	timerFor uint64
	timerAt  time.Duration
}

// Stretch is the watched stretch of script code; the zero value is none.
// Arm returns the one it replaces, so that a nested call can give the
// outer stretch back to Disarm.
type Stretch struct {
	id       uint64 // 0: nothing runs
	deadline time.Duration
}

// NewWatch returns a watch reading clock, which calls expire (from the
// timer's goroutine, with the watch locked: expire must not call back into
// the watch) when a stretch runs past its deadline.
func NewWatch(clock func() time.Duration, expire func()) *Watch {
	w := &Watch{clock: clock, expire: expire}
	w.timer = time.AfterFunc(time.Hour, w.fired)
	w.timer.Stop()
	return w
}

// Arm starts watching a stretch that must end by deadline and returns the
// stretch it replaces. exact sets the timer for this stretch even when it
// is already due sooner: a handler resuming after a wait has only the rest
// of its budget, and a timer that first fires for an older stretch and
// then re-aims would add a second timer latency to that small rest.
func (w *Watch) Arm(deadline time.Duration, exact bool) (outer Stretch) {
	w.mu.Lock()
	defer w.mu.Unlock()
	outer = w.cur
	w.next++
	w.cur = Stretch{id: w.next, deadline: deadline}
	if exact || !w.pending || w.timerAt > deadline {
		w.setLocked()
	}
	return outer
}

// Disarm ends the current stretch and watches outer again (the zero
// Stretch when nothing ran before Arm). The timer stays set.
func (w *Watch) Disarm(outer Stretch) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cur = outer
	if outer.id != 0 && !w.stopped && (!w.pending || w.timerAt > outer.deadline) {
		w.setLocked()
	}
}

// Stop ends the watch for good (the script is over).
func (w *Watch) Stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	w.cur = Stretch{}
	w.timer.Stop()
	w.pending = false
}

func (w *Watch) setLocked() {
	if w.stopped {
		return
	}
	w.timer.Reset(max(w.cur.deadline-w.clock(), time.Nanosecond))
	w.pending = true
	w.timerFor = w.cur.id
	w.timerAt = w.cur.deadline
}

// fired runs on the timer's goroutine.
func (w *Watch) fired() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending = false
	switch {
	case w.cur.id == 0 || w.stopped:
	case w.timerFor == w.cur.id || w.cur.deadline <= w.clock():
		// the stretch the timer was set for has run its whole budget
		w.expire()
	default:
		w.setLocked()
	}
}
