package js

import (
	"math"
	"testing"
	"time"

	"github.com/botrun/botrun/engine"
)

// TestBudgetWatchFollowsRuns checks the one budget timer of a script
// against runs whose deadlines differ from the one it is due for: a
// handler whose deadline is earlier than the pending firing (set by a
// long load budget) and handlers that start while the firing set by an
// earlier handler is pending (BUSY runs 10ms of its 150ms, so the firing
// finds the runaway after it with budget left and must wait for it).
// Each runaway handler must stop at its own budget.
func TestBudgetWatchFollowsRuns(t *testing.T) {
	for _, tc := range []struct {
		name   string
		events []string
	}{
		{"deadline earlier than the pending firing", []string{"SPIN"}},
		{"firing set by an earlier handler", []string{"QUICK", "BUSY", "SPIN"}},
		{"two runaways in a row", []string{"SPIN", "BUSY", "SPIN"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkNoLeak(t)
			dir := writeBot(t, map[string]string{"w.js": `
on("SPIN", () => { for (;;) {} })
on("QUICK", () => {})
on("BUSY", () => { const until = Date.now() + 10; while (Date.now() < until) {} })
on("DONE", () => log.info("done"))
`})
			s := loadScript(t, dir, "w.js", loadOpts{limits: engine.Limits{CPU: 150 * time.Millisecond, LoadCPU: time.Hour}})
			start := time.Now()
			spins := 0
			for _, ev := range tc.events {
				s.deliver(t, ev, `{}`)
				if ev == "SPIN" {
					spins++
				}
			}
			s.deliver(t, "DONE", `{}`)
			s.log.wait(t, "done")
			if el := time.Since(start); el > 3*time.Second {
				t.Fatalf("%d runaway handlers took %v to stop with a 150ms budget", spins, el)
			}
			n := 0
			lines, _ := s.log.snapshot()
			for _, l := range lines {
				if containsAll(l, []string{"handler exceeded its CPU budget of 150ms"}) {
					n++
				}
			}
			if n != spins {
				t.Fatalf("%d budget errors for %d runaway handlers: %q", n, spins, lines)
			}
		})
	}
}

// TestHugeBudget checks that a handler under a budget too large for a
// deadline on the budget clock runs, and that such deadlines saturate
// rather than wrapping into the past.
func TestHugeBudget(t *testing.T) {
	for _, tc := range []struct{ now, rem, want time.Duration }{
		{time.Second, time.Second, 2 * time.Second},
		{time.Hour, math.MaxInt64, math.MaxInt64},
		{time.Hour, math.MaxInt64 - time.Hour, math.MaxInt64},
		{time.Hour, math.MaxInt64 - time.Hour + 1, math.MaxInt64},
		{0, math.MaxInt64, math.MaxInt64},
	} {
		if got := deadlineAfter(tc.now, tc.rem); got != tc.want {
			t.Errorf("deadlineAfter(%d, %d) = %d, want %d", tc.now, tc.rem, got, tc.want)
		}
	}
	dir := writeBot(t, map[string]string{"h.js": `
on("WORK", () => { let x = 0; for (let i = 0; i < 20000; i++) x += i; log.info("done " + x) })`})
	s := loadScript(t, dir, "h.js", loadOpts{limits: engine.Limits{CPU: time.Duration(math.MaxInt64), LoadCPU: time.Duration(math.MaxInt64)}})
	s.deliver(t, "WORK", `{}`)
	s.log.wait(t, "done 199990000")
	lines, _ := s.log.snapshot()
	for _, l := range lines {
		if containsAll(l, []string{"budget"}) {
			t.Fatalf("a handler under a budget of centuries was stopped: %q", lines)
		}
	}
}
