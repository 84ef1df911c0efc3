package bindings

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the package when goroutines started by bindings (timers,
// sleeps) outlive the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if stacks, leaked := leakedGoroutines(3 * time.Second); leaked {
			fmt.Fprintf(os.Stderr, "goroutine leak: binding goroutines still running after the tests\n%s", stacks)
			code = 1
		}
	}
	os.Exit(code)
}

// leakedGoroutines waits up to d for goroutines running binding code to end.
func leakedGoroutines(d time.Duration) (string, bool) {
	deadline := time.Now().Add(d)
	buf := make([]byte, 1<<20)
	for {
		stacks := string(buf[:runtime.Stack(buf, true)])
		ours := strings.Contains(stacks, "bindings.runAfter") || strings.Contains(stacks, "bindings.runEvery") ||
			strings.Contains(stacks, "bindings.bindSleep")
		if !ours {
			return "", false
		}
		if time.Now().After(deadline) {
			return stacks, true
		}
		time.Sleep(5 * time.Millisecond)
	}
}
