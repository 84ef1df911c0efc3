package watchdog_test

import (
	"context"
	"log/slog"
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"

	"github.com/botrun/botrun/engine/watchdog"
)

func TestCheckInterruptsOnlyRunningScripts(t *testing.T) {
	var heap atomic.Uint64
	w := watchdog.New(watchdog.Config{Threshold: 1000, Heap: heap.Load})
	var aHit, bHit atomic.Int32
	w.Register("a", func() bool { aHit.Add(1); return true })
	unb := w.Register("b", func() bool { bHit.Add(1); return false }) // idle
	heap.Store(999)
	if got := w.Check(); got != nil {
		t.Fatalf("under threshold interrupted %v", got)
	}
	heap.Store(1000)
	got := w.Check()
	if len(got) != 1 || got[0] != "a" {
		t.Fatalf("interrupted %v, want [a]", got)
	}
	if aHit.Load() != 1 || bHit.Load() != 1 {
		t.Fatalf("interrupt calls a=%d b=%d", aHit.Load(), bHit.Load())
	}
	unb()
	w.Check()
	if bHit.Load() != 1 {
		t.Fatal("unregistered script still asked")
	}
}

func TestRunSamplesUntilCancelled(t *testing.T) {
	var heap atomic.Uint64
	heap.Store(5000)
	w := watchdog.New(watchdog.Config{Threshold: 1000, Interval: time.Millisecond, Heap: heap.Load})
	fired := make(chan struct{}, 1)
	w.Register("x", func() bool {
		select {
		case fired <- struct{}{}:
		default:
		}
		return true
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	select {
	case <-fired:
	case <-time.After(5 * time.Second):
		t.Fatal("watchdog never fired")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

func TestDefaultThresholdFromMemoryLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)
	debug.SetMemoryLimit(400 << 20)
	w := watchdog.New(watchdog.Config{})
	if w.Threshold() != 300<<20 {
		t.Fatalf("threshold %d, want 75%% of 400 MiB", w.Threshold())
	}
	debug.SetMemoryLimit(old)
	if got := watchdog.New(watchdog.Config{}).Threshold(); old == int64(^uint64(0)>>1) && got != 0 {
		t.Fatalf("no memory limit: threshold %d, want 0 (disabled)", got)
	}
}

// TestAsideIsLeftOut: heap that holds no memory (a reserve its owner added
// to the limit) counts neither in the readings nor in the threshold.
func TestAsideIsLeftOut(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)
	const aside = 32 << 20
	debug.SetMemoryLimit(400<<20 + aside)
	var heap uint64
	w := watchdog.New(watchdog.Config{Aside: aside, Heap: func() uint64 { return heap }, Log: slog.New(slog.DiscardHandler)})
	if w.Threshold() != 300<<20 {
		t.Fatalf("threshold %d MiB, want 75%% of the 400 MiB limit without the 32 set aside", w.Threshold()>>20)
	}
	w.Register("s", func() bool { return true })
	for _, tt := range []struct {
		heap uint64
		hit  bool
	}{
		{0, false},               // less than what is set aside
		{aside + 299<<20, false}, // 299 MiB in use
		{aside + 300<<20, true},  // at the threshold
		{300 << 20, false},       // over it only if the aside counted
	} {
		heap = tt.heap
		if got := w.Check(); (len(got) > 0) != tt.hit {
			t.Errorf("heap %d MiB with %d MiB aside: interrupted %v, want %v", tt.heap>>20, aside>>20, got, tt.hit)
		}
	}
}

func TestRealHeapReading(t *testing.T) {
	w := watchdog.New(watchdog.Config{Threshold: 1}) // any heap is over 1 byte
	called := false
	w.Register("s", func() bool { called = true; return true })
	if got := w.Check(); len(got) != 1 || !called {
		t.Fatalf("real heap reading did not trigger: %v", got)
	}
}
