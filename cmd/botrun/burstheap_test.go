package main

import (
	"log/slog"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestGOGCFor(t *testing.T) {
	const mib = 1 << 20
	for _, tt := range []struct {
		name               string
		floor, live, roots uint64
		want               int
	}{
		{"small live heap: Go's minimum reaches the floor", 8 * mib, 1 * mib, 0, 200},
		{"nothing live yet", 8 * mib, 0, 0, 200},
		{"live heap and roots set the goal", 8 * mib, 3 * mib, 0, 166},
		{"roots count with the live heap", 8 * mib, 3 * mib, 1 * mib, 125},
		{"twice the live heap is past the floor", 8 * mib, 5 * mib, 0, defaultGOGC},
		{"live heap above the floor", 8 * mib, 9 * mib, 0, defaultGOGC},
		{"floor below Go's minimum", 2 * mib, 1 * mib, 0, defaultGOGC},
		{"a huge floor is capped", 1024 * mib, 1 * mib, 0, maxBurstGOGC},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := gogcFor(tt.floor, tt.live, tt.roots); got != tt.want {
				t.Errorf("gogcFor(%d MiB, %d MiB, %d MiB) = %d, want %d", tt.floor/mib, tt.live/mib, tt.roots/mib, got, tt.want)
			}
		})
	}
}

func TestStartBurstHeapRespectsTheUser(t *testing.T) {
	skipIfGOGCSet(t)
	for _, tt := range []struct {
		name    string
		floorMB int
		gogc    string
	}{{"burst_heap_mb = 0", 0, ""}, {"GOGC set", 8, "150"}} {
		t.Run(tt.name, func(t *testing.T) {
			stop := startBurstHeap(tt.floorMB, func(k string) string {
				if k == "GOGC" {
					return tt.gogc
				}
				return ""
			}, slog.New(slog.DiscardHandler))
			defer stop()
			churn(t, 64<<20)
			if g := currentGOGC(); g != defaultGOGC {
				t.Errorf("GOGC = %d after an allocation burst, want %d: the tuner should be off", g, defaultGOGC)
			}
		})
	}
}

// TestBurstHeapFollowsAllocationRate allocates fast until the tuner raises
// GOGC, stops until it puts the default back, and checks that a stopped
// tuner changes nothing.
func TestBurstHeapFollowsAllocationRate(t *testing.T) {
	skipIfGOGCSet(t)
	logs := newSyncBuf()
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b := newBurstHeap(16<<20, burstEngageRate, 50*time.Millisecond, log)
	b.start()
	defer b.stop()

	deadline := time.Now().Add(20 * time.Second)
	for currentGOGC() <= defaultGOGC {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC still %d after 20s of allocating fast\n%s", currentGOGC(), logs)
		}
		churn(t, 8<<20)
	}
	if g := currentGOGC(); g > maxBurstGOGC {
		t.Errorf("GOGC = %d during the burst, above the cap %d", g, maxBurstGOGC)
	}
	// Calm: the check timer, not a collection, has to notice.
	deadline = time.Now().Add(20 * time.Second)
	for currentGOGC() != defaultGOGC {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC still %d 20s after the burst\n%s", currentGOGC(), logs)
		}
		time.Sleep(10 * time.Millisecond) // polling a runtime setting: nothing to wait on
	}
	// The log line may follow the setting by a moment.
	for _, want := range []string{"allocation burst: heap may grow", "allocation burst over"} {
		logs.waitFor(t, 1, want)
	}

	b.stop()
	churn(t, 64<<20)
	if g := currentGOGC(); g != defaultGOGC {
		t.Errorf("GOGC = %d after a burst with the tuner stopped, want %d", g, defaultGOGC)
	}
}

func TestBurstFloorStaysUnderTheMemoryLimit(t *testing.T) {
	b := newBurstHeap(16<<20, burstEngageRate, time.Second, slog.New(slog.DiscardHandler))
	prev := debug.SetMemoryLimit(20 << 20)
	defer debug.SetMemoryLimit(prev)
	if got := b.floorLocked(); got != 10<<20 {
		t.Errorf("floor under a 20 MiB soft limit = %d MiB, want 10", got>>20)
	}
	debug.SetMemoryLimit(math.MaxInt64)
	if got := b.floorLocked(); got != 16<<20 {
		t.Errorf("floor without a soft limit = %d MiB, want 16", got>>20)
	}
}

// churn allocates n bytes of garbage as fast as it can, with collections
// along the way.
func churn(t *testing.T, n int) {
	t.Helper()
	for range n / (64 << 10) {
		burstSink = make([]byte, 64<<10)
	}
	runtime.GC()
}

var burstSink []byte

func skipIfGOGCSet(t *testing.T) {
	if v := os.Getenv("GOGC"); v != "" {
		t.Skipf("GOGC=%s is set for the tests; these check botrun's own setting of it", v)
	}
}

func currentGOGC() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}
