package runner

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestReloadLatency measures save-to-active (file written → new generation
// live, debounce included) with 1 and with 200 scripts loaded, and logs the
// figures. It asserts correctness only; timings on shared CI machines vary.
func TestReloadLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("measures reloads")
	}
	for _, n := range []int{1, 200} {
		t.Run(fmt.Sprintf("%d scripts", n), func(t *testing.T) {
			files := map[string]string{}
			for i := 0; i < n; i++ {
				lang := "lua"
				body := fmt.Sprintf(luaEcho, fmt.Sprint("s", i))
				if i%2 == 1 {
					lang, body = "js", fmt.Sprintf(jsEcho, fmt.Sprint("s", i))
				}
				files[fmt.Sprintf("s%03d.%s", i, lang)] = body
			}
			start := time.Now()
			f := newFixture(t, files, true)
			t.Logf("initial load of %d scripts: %v", n, time.Since(start).Round(time.Millisecond))
			var took []time.Duration
			for round := 0; round < 5; round++ {
				begin := time.Now()
				f.write("s000.lua", fmt.Sprintf(luaEcho, fmt.Sprint("r", round)))
				if ev := f.loads.next(t, "s000"); ev.Err != nil {
					t.Fatal(ev.Err)
				}
				took = append(took, time.Since(begin))
				f.message("x")
				f.log.waitFor(t, 1, fmt.Sprintf("r%d:x", round))
			}
			slices.Sort(took)
			t.Logf("save-to-active with %d scripts (debounce %v): median %v, max %v",
				n, f.r.cfg.Debounce, took[len(took)/2].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond))
		})
	}
}
