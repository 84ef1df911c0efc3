package main

import (
	"fmt"
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

func TestGOGCAbove(t *testing.T) {
	const mib = 1 << 20
	for _, tt := range []struct {
		name                       string
		goal, live, reserve, roots uint64
		want                       int
	}{
		{"Go's minimum beside a reserve", 4 * mib, 1 * mib, 32 * mib, 0, 10},
		{"the floor beside a reserve", 8 * mib, 1 * mib, 32 * mib, 0, 22},
		{"roots count", 8 * mib, 1 * mib, 32 * mib, 1 * mib, 21},
		{"nothing live", 4 * mib, 0, 32 * mib, 0, 13},
		{"goal already reached", 1 * mib, 2 * mib, 32 * mib, 0, 1},
		{"capped", 1024 * mib, 0, 1 * mib, 0, maxBurstGOGC},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := gogcAbove(tt.goal, tt.live, tt.reserve, tt.roots)
			if got != tt.want {
				t.Fatalf("gogcAbove(%d, %d, %d, %d MiB) = %d, want %d", tt.goal/mib, tt.live/mib, tt.reserve/mib, tt.roots/mib, got, tt.want)
			}
			if got == 1 || got == maxBurstGOGC {
				return
			}
			// Go's goal at got reaches the reserve plus goal; at got-1 it does not.
			goGoal := func(g int) uint64 {
				h := tt.live + tt.reserve
				return h + (h+tt.roots)*uint64(g)/100
			}
			if goGoal(got) < tt.reserve+tt.goal || goGoal(got-1) >= tt.reserve+tt.goal {
				t.Errorf("GOGC %d gives a goal of %d KiB, %d gives %d KiB; want the first at least %d KiB",
					got, goGoal(got)>>10, got-1, goGoal(got-1)>>10, (tt.reserve+tt.goal)>>10)
			}
		})
	}
}

// TestHeapReserveKeepsTheGoal holds a reserve with the real runtime: the
// heap goal is Go's default beside it when calm and the floor beside it
// during a burst, and the reserve never takes memory.
func TestHeapReserveKeepsTheGoal(t *testing.T) {
	skipIfGOGCSet(t)
	const floor, reserve = 8 << 20, 32 << 20
	for _, burst := range []bool{false, true} {
		t.Run(fmt.Sprintf("burst=%v", burst), func(t *testing.T) {
			engage := math.Inf(1)
			if burst {
				engage = 1 // any allocation at all
			}
			b := newBurstHeap(floor, engage, time.Hour, slog.New(slog.DiscardHandler))
			if err := b.hold(reserve); err != nil {
				t.Skipf("no reserve (%v); a fresh botrun allocates it first", err)
			}
			b.start()
			defer b.stop()

			var goal, want uint64
			deadline := time.Now().Add(20 * time.Second)
			for {
				// The tuner sets GOGC just after a collection, for the next.
				churn(t, 4<<20)
				runtime.GC()
				m := readHeapMetrics()
				live := m.live - min(m.live, reserve)
				goal, want = m.goal, reserve+defaultGoal(live, m.roots)
				if burst {
					want = reserve + max(defaultGoal(live, m.roots), floor)
				}
				// The tuner leaves GOGC alone for changes under a
				// tenth, so the goal may fall short by a tenth of the
				// headroom above the reserve.
				if slack := (want - reserve) / 10; goal+slack >= want && goal < want+(1<<20) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("heap goal %d KiB, want %d KiB (GOGC %d)", goal>>10, want>>10, currentGOGC())
				}
			}
			if n, ok := residentBytes(b.reserve); ok && n > 64<<10 {
				t.Errorf("the reserve has %d KiB in memory, want it untouched", n>>10)
			}
			b.stop()
			if g := currentGOGC(); g != defaultGOGC {
				t.Errorf("GOGC = %d after stop, want %d", g, defaultGOGC)
			}
			if b.reserve != nil {
				t.Error("the tuner kept its reserve after stop")
			}
		})
	}
}

// TestHeapReserveUnderASoftLimit: holding a reserve raises a soft memory
// limit by its size and stop lowers it again, while the burst floor stays
// within half the user's limit.
func TestHeapReserveUnderASoftLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	const floor, reserve = 8 << 20, 32 << 20
	for _, tt := range []struct {
		name      string
		limit     int64
		wantFloor uint64
	}{
		{"no limit", math.MaxInt64, floor},
		{"1 GiB", 1 << 30, floor},
		{"12 MiB", 12 << 20, 6 << 20}, // half the user's 12 MiB, not of 44
	} {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetMemoryLimit(tt.limit)
			b := newBurstHeap(floor, math.Inf(1), time.Hour, slog.New(slog.DiscardHandler))
			// Whether the block is resident does not matter here.
			b.keep(make([]byte, reserve))
			want := tt.limit
			if tt.limit != math.MaxInt64 {
				want += reserve
			}
			if got := debug.SetMemoryLimit(-1); got != want {
				t.Errorf("soft limit %d while the reserve is held, want %d", got, want)
			}
			b.mu.Lock()
			got := b.floorLocked()
			b.mu.Unlock()
			if got != tt.wantFloor {
				t.Errorf("floor %d MiB, want %d MiB", got>>20, tt.wantFloor>>20)
			}
			b.stop()
			if got := debug.SetMemoryLimit(-1); got != tt.limit {
				t.Errorf("soft limit %d after stop, want the user's %d back", got, tt.limit)
			}
		})
	}
}

func TestResidentBytes(t *testing.T) {
	b := make([]byte, 1<<20)
	for i := range b {
		b[i] = 1
	}
	n, ok := residentBytes(b)
	if !ok {
		t.Skip("cannot tell resident memory on this system")
	}
	if n < 1<<20 {
		t.Errorf("a written 1 MiB buffer has %d KiB resident, want all of it", n>>10)
	}
}

type heapMetrics struct{ live, goal, roots uint64 }

// readHeapMetrics reads what the tuner reads (burstMetrics) and the heap
// goal the runtime set from it.
func readHeapMetrics() heapMetrics {
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	for _, name := range burstMetrics {
		s = append(s, metrics.Sample{Name: name})
	}
	metrics.Read(s)
	return heapMetrics{goal: s[0].Value.Uint64(), live: s[2].Value.Uint64(), roots: s[3].Value.Uint64() + s[4].Value.Uint64()}
}

func TestStartBurstHeapRespectsTheUser(t *testing.T) {
	skipIfGOGCSet(t)
	for _, tt := range []struct {
		name    string
		floorMB int
		gogc    string
	}{{"burst_heap_mb = 0", 0, ""}, {"GOGC set", 8, "150"}} {
		t.Run(tt.name, func(t *testing.T) {
			stop, reserve := startBurstHeap(tt.floorMB, func(k string) string {
				if k == "GOGC" {
					return tt.gogc
				}
				return ""
			}, slog.New(slog.DiscardHandler))
			defer stop()
			if reserve != 0 {
				t.Errorf("a %d-byte heap reserve: the tuner should be off", reserve)
			}
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
