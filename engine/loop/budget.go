package loop

import (
	"fmt"
	"time"

	"github.com/botrun/botrun/bindings"
)

// Budget is the CPU budget of one handler invocation (or one top-level
// load). Only time between Begin and End counts, so an engine brackets each
// stretch of running script code and leaves out the time a handler waits
// for I/O. Not safe for concurrent use: it belongs to the loop goroutine.
type Budget struct {
	limit time.Duration
	used  time.Duration
	began time.Time
	now   func() time.Time
}

// NewBudget returns a budget of limit. now is the clock (time.Now if nil).
func NewBudget(limit time.Duration, now func() time.Time) *Budget {
	if now == nil {
		now = time.Now
	}
	return &Budget{limit: limit, now: now}
}

// Begin marks the start of a stretch of script code and returns the time
// left, at least 1ns so that a deadline built from it is always valid.
func (b *Budget) Begin() time.Duration {
	b.began = b.now()
	return max(b.limit-b.used, time.Nanosecond)
}

// End closes the stretch started by Begin and reports whether the budget is
// used up.
func (b *Budget) End() (exhausted bool) {
	b.used += b.now().Sub(b.began)
	return b.used >= b.limit
}

// Used is the script time consumed so far.
func (b *Budget) Used() time.Duration { return b.used }

// Limit is the budget's size.
func (b *Budget) Limit() time.Duration { return b.limit }

// Exceeded is the error for a handler that ran out of budget.
func (b *Budget) Exceeded(what string) error {
	return &BudgetError{What: what, Limit: b.limit}
}

// BudgetError reports code that ran longer than its CPU budget. It wraps
// bindings.ErrLimit.
type BudgetError struct {
	What  string // "handler", "load"
	Limit time.Duration
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("%s exceeded its CPU budget of %s", e.What, e.Limit)
}

func (e *BudgetError) Unwrap() error { return bindings.ErrLimit }
