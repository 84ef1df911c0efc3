package js

import "time"

// monoBase anchors the budget clock.
var monoBase = time.Now()

// The clock of the CPU budgets. Every handler call reads it twice, and
// time.Now reads the wall clock as well as the monotonic one, which on
// some virtual machines costs several times more; budgets only ever
// subtract two readings, so the monotonic clock alone (time.Since) is
// enough. The times it returns carry a monotonic reading, so Sub between
// two of them is exact.

// budgetClock is the clock a script's budgets read, keeping the last
// reading (as sinceBase) so that arming the budget timer needs neither a
// second reading nor time arithmetic.
type budgetClock struct {
	last time.Duration // loop goroutine only
	now  func() time.Time
}

func newBudgetClock() *budgetClock {
	c := &budgetClock{}
	c.now = func() time.Time {
		c.last = sinceBase()
		return monoBase.Add(c.last)
	}
	return c
}
