package load

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain doubles as a tiny bot-like child process for the Proc tests:
// it allocates some memory, burns some CPU, says READY and waits for
// SIGTERM.
func TestMain(m *testing.M) {
	if os.Getenv("LOAD_TEST_CHILD") == "1" {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM)
		ballast := make([]byte, 32<<20)
		for i := range ballast {
			ballast[i] = byte(i)
		}
		deadline := time.Now().Add(50 * time.Millisecond)
		for time.Now().Before(deadline) {
		}
		fmt.Println("READY", ballast[len(ballast)-1])
		<-stop
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestProcMeasuresAndStops(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := Start(ctx, Command{Name: "child", Argv: []string{os.Args[0], "-test.run=^$"}, Env: []string{"LOAD_TEST_CHILD=1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop(time.Second)
	for !strings.Contains(p.Output(), "READY") {
		select {
		case <-p.Exited():
			t.Fatalf("child exited early: %s", p.Output())
		case <-ctx.Done():
			t.Fatal("child never printed READY")
		case <-time.After(5 * time.Millisecond): // polling the child's output
		}
	}
	m, err := p.Memory()
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS < 32<<20 || m.Peak < m.RSS {
		t.Fatalf("memory %+v: want RSS ≥ 32 MiB and peak ≥ RSS", m)
	}
	// The ballast is written heap: private memory, not program pages.
	if m.Anon < 32<<20 || m.File <= 0 || m.Anon+m.File > m.RSS {
		t.Fatalf("memory %+v: want Anon ≥ 32 MiB, some File, Anon+File ≤ RSS", m)
	}
	stopWatch := p.WatchMemory(time.Millisecond)
	peaks := stopWatch()
	if peaks.Samples < 1 || peaks.Anon < 32<<20 || peaks.File <= 0 {
		t.Fatalf("WatchMemory: %+v, want at least one sample with Anon ≥ 32 MiB and some File", peaks)
	}
	if err := p.ResetPeak(); err != nil {
		t.Fatalf("ResetPeak: %v", err)
	}
	cpu, err := p.CPU()
	if err != nil {
		t.Fatal(err)
	}
	if cpu < 10*time.Millisecond {
		t.Fatalf("CPU %v: the child busy-looped for 50ms", cpu)
	}
	if err := p.Stop(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Exited():
	default:
		t.Fatal("Stop returned before the process exited")
	}
	if peaks := p.WatchMemory(time.Millisecond)(); peaks.Samples != 0 {
		t.Fatalf("WatchMemory of an exited process: %+v, want no samples", peaks)
	}
	// exec's own copying goroutines end just after the process is reaped.
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left running after Stop (had %d)", runtime.NumGoroutine(), before)
		}
		time.Sleep(time.Millisecond) // polling a count; there is nothing to wait on
	}
}
