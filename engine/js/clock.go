package js

import "time"

// monoBase anchors monoNow.
var monoBase = time.Now()

// monoNow is the clock of the CPU budgets. Every handler call reads the
// clock twice, and time.Now reads the wall clock as well as the
// monotonic one, which on some virtual machines costs several times
// more; budgets only ever subtract two readings, so the monotonic clock
// alone (time.Since) is enough. The result carries a monotonic reading,
// so Sub between two of them is exact.
func monoNow() time.Time { return monoBase.Add(time.Since(monoBase)) }

// budgetClock is the clock a script's budgets read: monoNow, keeping the
// last reading so that arming the budget timer needs no second one.
type budgetClock struct {
	last time.Time // loop goroutine only
	now  func() time.Time
}

func newBudgetClock() *budgetClock {
	c := &budgetClock{}
	c.now = func() time.Time {
		c.last = monoNow()
		return c.last
	}
	return c
}
