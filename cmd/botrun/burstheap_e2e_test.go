package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/botrun/botrun/host/emulator"
)

// TestBurstHeapInTheBinary: a burst of messages into a handler that
// allocates raises the heap floor, which the debug log shows, and the
// floor goes once the burst is over; with burst_heap_mb = 0 it never rises.
func TestBurstHeapInTheBinary(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		config string
		burst  bool
	}{
		{"default", "", true},
		{"burst_heap_mb = 0", "burst_heap_mb = 0\n", false},
		// The heap watchdog acts at 36 MiB: were the 32 MiB reserve
		// counted against the limit, the heap at the floor would pass it
		// and the watchdog would interrupt the handler.
		{"heap_limit_mb = 48", "[limits]\nheap_limit_mb = 48\n", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			const n = 3000
			emu, out := startEmulator(t, emulator.Options{})
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{
				"botrun.toml": tt.config,
				// About 16 KB of garbage per message: a burst whatever
				// the machine's speed (or the race detector's).
				"churn.lua": `local n = 0
on("MESSAGE_CREATE", function(m)
  if m.content == "!done" then
    m:reply("done " .. n)
    return
  end
  n = n + #string.rep(m.content, 4000)
end)
`,
			})
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			p := startOn(t, ctx, emu, dir, "BOTRUN_LOG_LEVEL=debug")
			injectNumbered(t, emu, "general", n)
			total := 0
			for i := range n {
				total += len(fmt.Sprintf("m%d", i)) * 4000
			}
			want := fmt.Sprintf("done %d", total)
			waitOutput(t, ctx, out, func(o emulator.Output) bool { return o.Content == want })
			if tt.burst {
				p.stderr.waitFor(t, 1, "allocation burst: heap may grow to the burst floor")
				p.stderr.waitFor(t, 1, "allocation burst over")
				checkReserve(t, p.stderr.String())
			} else if logs := p.stderr.String(); strings.Contains(logs, "allocation burst") {
				t.Errorf("burst_heap_mb = 0, yet the floor was raised:\n%s", logs)
			}
			p.signal(syscall.SIGTERM)
			if code := p.wait(); code != 0 {
				t.Errorf("exit %d\n%s", code, p.stderr)
			}
		})
	}
}

var residentKiB = regexp.MustCompile(`resident_kib"?[=:](\d+)`)

// checkReserve checks in a bot's debug log that it held a heap reserve,
// that the reserve stayed out of memory through the burst (at most a few
// pages resident) and that the heap watchdog never acted.
func checkReserve(t *testing.T, logs string) {
	t.Helper()
	if strings.Contains(logs, "heap over limit") {
		t.Errorf("the heap watchdog interrupted scripts:\n%s", logs)
	}
	found := residentKiB.FindAllStringSubmatch(logs, -1)
	if len(found) < 2 {
		t.Fatalf("want the reserve's resident size logged when held and after the burst:\n%s", logs)
	}
	for _, f := range found {
		if kib, _ := strconv.Atoi(f[1]); kib > 64 {
			t.Errorf("the heap reserve has %d KiB in memory, want it untouched:\n%s", kib, logs)
		}
	}
}
