package js

import (
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
