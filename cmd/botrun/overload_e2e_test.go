package main

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/botrun/botrun/host/emulator"
)

// TestOverloadLosesNothing: a burst of messages into a script that is far
// slower than they arrive, with a small event queue. Reading pauses while
// the script catches up instead of dropping events: the script sees every
// message once and in order, the session stays up (heartbeats go on), and
// the log says which script held the bot back.
func TestOverloadLosesNothing(t *testing.T) {
	t.Parallel()
	const n = 1000
	emu, out := startEmulator(t, emulator.Options{HeartbeatInterval: time.Second, HeartbeatTimeout: 1500 * time.Millisecond})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"botrun.toml": "[limits]\nqueue_size = 16\n",
		"slow.lua": `local n, bad = 0, 0
on("MESSAGE_CREATE", function(m)
  if m.content == "!done" then
    m:reply("done " .. n .. " out of order " .. bad)
    return
  end
  if m.content ~= "m" .. n then bad = bad + 1 end
  n = n + 1
  local x = 0
  for i = 1, 20000 do x = x + i end -- a slow handler
end)
`,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p := startOn(t, ctx, emu, dir)
	injectNumbered(t, emu, "general", n)
	want := fmt.Sprintf("done %d out of order 0", n)
	waitOutput(t, ctx, out, func(o emulator.Output) bool {
		if strings.HasPrefix(o.Content, "done ") && o.Content != want {
			t.Fatalf("script reported %q, want %q\n%s", o.Content, want, p.stderr)
		}
		return o.Content == want
	})
	logs := p.stderr.String()
	if strings.Contains(logs, "reconnecting") || strings.Contains(logs, "dropped") {
		t.Errorf("the session reconnected or events were dropped:\n%s", logs)
	}
	if !strings.Contains(logs, "slower than its events arrive") {
		t.Errorf("no back-pressure was reported; the test did not overload the script:\n%s", logs)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d\n%s", code, p.stderr)
	}
}
