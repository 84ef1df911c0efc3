package main

import (
	"log/slog"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// A burst (thousands of events a second) allocates a few MiB every few
// milliseconds: each event's document, its views in the script engine.
// Under Go's default (GOGC=100, the heap may grow to twice the live heap
// and at least 4 MiB) a bot whose live heap is small then collects every
// few milliseconds, and the collector costs about a third of the CPU of
// each event. burstHeap lets the heap grow to a floor (burst_heap_mb)
// while the process allocates fast, which in the throughput benchmark
// cut CPU per event by a fifth for about 4 MiB more resident memory, and
// puts Go's default back once the burst is over. An idle or ordinary bot
// never allocates fast enough to notice it.
//
// It runs without a goroutine of its own while the bot is calm: it looks
// at the allocation rate after each garbage collection (a cleanup on an
// object that each cycle frees), and only while the floor is raised does a
// timer check once a second whether the burst is over. With a heap
// reserve (reserve.go) it also sets GOGC after every collection, calm or
// not, to keep the reserve out of the heap goal.
type burstHeap struct {
	floor  uint64        // the heap goal wanted during a burst, bytes
	engage float64       // allocation rate, bytes/s, that starts a burst
	check  time.Duration // how often a burst is checked for its end
	log    *slog.Logger

	mu sync.Mutex // guards the fields below: the runtime's cleanup goroutine and the timer both run the tuner
	// stopped is set by stop; nothing is changed or re-armed after it.
	stopped bool
	// engaged: the floor is raised, timer is running and gogc is the
	// GOGC set; otherwise GOGC is Go's default.
	engaged bool
	gogc    int
	timer   *time.Timer
	// since and allocs are when the rate was last measured and the bytes
	// allocated until then.
	since   time.Time
	allocs  uint64
	samples []metrics.Sample
	// reserve is the heap reserve (reserve.go) while the tuner holds
	// one; the collector counts it in the live heap and GOGC makes up
	// for it.
	reserve []byte
	// raised is how far the tuner raised the Go soft memory limit to make
	// room for the reserve: its size while it holds one under a limit,
	// otherwise 0.
	raised int64
}

const (
	// burstEngageRate is the allocation rate that starts a burst: about
	// ten collections a second at Go's 4 MiB minimum heap, some 15,000
	// events a second. A busy ordinary bot allocates a tenth of it.
	burstEngageRate = 32 << 20
	// burstCheckInterval is how often a burst is checked for its end; it
	// ends when the rate has been below half burstEngageRate for that long.
	burstCheckInterval = time.Second
	// defaultGOGC is Go's default, which botrun keeps outside bursts.
	defaultGOGC = 100
	// maxBurstGOGC bounds the GOGC a burst sets, so that a floor far above
	// a tiny live heap never lets one cycle's garbage run away.
	maxBurstGOGC = 1000
	// goHeapMinimum is the smallest heap goal Go uses at GOGC=100; it
	// scales with GOGC.
	goHeapMinimum = 4 << 20
)

// The runtime/metrics the tuner reads, in this order.
var burstMetrics = []string{
	"/gc/heap/allocs:bytes",
	"/gc/heap/live:bytes",
	"/gc/scan/stack:bytes",
	"/gc/scan/globals:bytes",
}

// startBurstHeap starts the tuner with a floor of floorMB MiB, holding a
// heap reserve, and returns the function that stops it and puts Go's
// default back, and the reserve's size (0 when it holds none). It does
// nothing when floorMB is 0 or GOGC is set in the environment: the user
// chose. Call it after the soft memory limit, if any, is set, and before
// the heap grows.
func startBurstHeap(floorMB int, getenv func(string) string, log *slog.Logger) (stop func(), reserve uint64) {
	if floorMB <= 0 || getenv("GOGC") != "" {
		return func() {}, 0
	}
	b := newBurstHeap(uint64(floorMB)<<20, burstEngageRate, burstCheckInterval, log)
	if err := b.hold(reserveFactor * floorMB << 20); err != nil {
		log.Debug("no heap reserve", "reason", err)
	}
	b.start()
	return b.stop, uint64(len(b.reserve))
}

// hold takes a heap reserve of size bytes, before start, or says why it
// holds none. Under a soft memory limit it raises the limit by the
// reserve's size: the runtime counts the reserve as heap in use, yet it
// holds no memory, so the limit on the memory actually used stays where
// it was.
func (b *burstHeap) hold(size int) error {
	r, err := newHeapReserve(size)
	if err != nil {
		return err
	}
	b.keep(r)
	return nil
}

// keep makes r the reserve and raises the soft memory limit, if one is
// set, by its size.
func (b *burstHeap) keep(r []byte) {
	b.reserve = r
	if limit := debug.SetMemoryLimit(-1); limit < math.MaxInt64-int64(len(r)) {
		b.raised = int64(len(r))
		debug.SetMemoryLimit(limit + b.raised)
	}
}

func newBurstHeap(floor uint64, engage float64, check time.Duration, log *slog.Logger) *burstHeap {
	b := &burstHeap{floor: floor, engage: engage, check: check, log: log}
	for _, name := range burstMetrics {
		b.samples = append(b.samples, metrics.Sample{Name: name})
	}
	return b
}

func (b *burstHeap) start() {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.readLocked()
	b.since, b.allocs = time.Now(), m[0]
	if b.reserve != nil {
		b.setLocked(b.gogcLocked(m), true)
		resident, _ := residentBytes(b.reserve)
		attrs := []any{"reserve_mib", len(b.reserve) >> 20, "resident_kib", resident >> 10}
		if b.raised > 0 {
			attrs = append(attrs, "soft_memory_limit_raised_mib", b.raised>>20)
		}
		b.log.Debug("heap reserve held (address space only)", attrs...)
	}
	b.armLocked()
}

// stop ends the tuner; a burst in progress ends with it, and the reserve
// is let go.
func (b *burstHeap) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return
	}
	b.stopped = true
	if b.engaged {
		b.timer.Stop()
		b.engaged = false
	}
	b.reserve = nil
	if b.raised > 0 {
		debug.SetMemoryLimit(debug.SetMemoryLimit(-1) - b.raised)
		b.raised = 0
	}
	b.setLocked(defaultGOGC, false)
}

// gcSentinel is freed by the collection after it is made; its cleanup is
// the tuner's hook into each cycle. It is big enough to have an
// allocation of its own (tiny objects share one and would be freed late).
type gcSentinel struct{ _ [2]uintptr }

func (b *burstHeap) armLocked() {
	runtime.AddCleanup(new(gcSentinel), (*burstHeap).afterGC, b)
}

// readLocked reads burstMetrics.
func (b *burstHeap) readLocked() [4]uint64 {
	metrics.Read(b.samples)
	var v [4]uint64
	for i, s := range b.samples {
		if s.Value.Kind() == metrics.KindUint64 {
			v[i] = s.Value.Uint64()
		}
	}
	return v
}

// afterGC runs after each garbage collection: it starts a burst when the
// process allocated fast since the rate was last measured, and while one
// lasts it keeps the heap goal at the floor as the live heap changes.
func (b *burstHeap) afterGC() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return
	}
	b.armLocked()
	m := b.readLocked()
	if !b.engaged {
		rate := b.advanceLocked(m[0])
		if rate < b.engage {
			if b.reserve != nil {
				b.setLocked(b.gogcLocked(m), false)
			}
			return
		}
		b.engaged = true
		b.timer = time.AfterFunc(b.check, b.checkEnd)
		b.log.Debug("allocation burst: heap may grow to the burst floor",
			"rate_mib_s", int(rate)>>20, "floor_mib", b.floor>>20)
		b.setLocked(b.gogcLocked(m), true)
		return
	}
	b.setLocked(b.gogcLocked(m), false)
}

// checkEnd runs every check interval during a burst and ends it when the
// allocation rate has fallen below half the rate that starts one.
func (b *burstHeap) checkEnd() {
	if b.endBurst() {
		// The scavenger leaves a heap with a reserve its burst-sized
		// free pages; one forced collection gives them back at once.
		debug.FreeOSMemory()
	}
}

// endBurst ends the burst if it is over and says whether free heap pages
// should then be given back.
func (b *burstHeap) endBurst() (release bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped || !b.engaged {
		return false
	}
	m := b.readLocked()
	rate := b.advanceLocked(m[0])
	if rate >= b.engage/2 {
		b.timer.Reset(b.check)
		return false
	}
	b.engaged = false
	b.setLocked(b.gogcLocked(m), true)
	attrs := []any{"rate_mib_s", int(rate) >> 20}
	if b.reserve != nil {
		resident, _ := residentBytes(b.reserve)
		attrs = append(attrs, "reserve_resident_kib", resident>>10)
	}
	b.log.Debug("allocation burst over: Go's default heap goal again", attrs...)
	return b.reserve != nil
}

// floorLocked is the floor, kept to half of a soft memory limit if one is
// set (heap_limit_mb, a container's limit, GOMEMLIMIT): the limit stays in
// charge, and the heap watchdog (which acts at 75% of heap_limit_mb) is
// never reached by garbage the floor let accumulate. The limit is the
// user's: what the tuner added for its reserve does not count.
func (b *burstHeap) floorLocked() uint64 {
	if limit := debug.SetMemoryLimit(-1); limit != math.MaxInt64 && limit-b.raised > 0 {
		return min(b.floor, uint64(limit-b.raised)/2)
	}
	return b.floor
}

// setLocked sets GOGC if it differs enough from the current setting to
// matter (the live heap moves a little every cycle), or always when the
// burst starts or ends (force) or Go's default comes back.
func (b *burstHeap) setLocked(gogc int, force bool) {
	cur := b.gogc
	if cur == 0 {
		cur = defaultGOGC
	}
	if gogc == cur || (!force && gogc != defaultGOGC && math.Abs(float64(gogc-cur)) < float64(cur)/10) {
		return
	}
	debug.SetGCPercent(gogc)
	b.gogc = gogc
}

// gogcLocked is the GOGC for the heap m describes (burstMetrics): the
// floor's during a burst and Go's default outside one; with a reserve
// both are worked out so that the goal leaves the reserve aside.
func (b *burstHeap) gogcLocked(m [4]uint64) int {
	live, roots := m[1], m[2]+m[3]
	if b.reserve == nil {
		if !b.engaged {
			return defaultGOGC
		}
		return gogcFor(b.floorLocked(), live, roots)
	}
	reserve := uint64(len(b.reserve))
	live -= min(live, reserve)
	goal := defaultGoal(live, roots)
	if b.engaged {
		goal = max(goal, b.floorLocked())
	}
	return gogcAbove(goal, live, reserve, roots)
}

// defaultGoal is the heap goal Go sets at GOGC=100: twice the live heap
// plus the roots, at least goHeapMinimum.
func defaultGoal(live, roots uint64) uint64 {
	return max(2*live+roots, goHeapMinimum)
}

// gogcAbove is the smallest GOGC whose heap goal is goal bytes beside a
// reserve that the collector counts as live, given the live heap without
// it and the roots; between 1 and maxBurstGOGC.
func gogcAbove(goal, live, reserve, roots uint64) int {
	if goal <= live {
		return 1
	}
	base := live + reserve + roots
	g := ((goal-live)*100 + base - 1) / base
	return int(min(max(g, 1), maxBurstGOGC))
}

// gogcFor is the smallest GOGC whose heap goal reaches floor, given the
// live heap and the other roots the collector scans (stacks, globals);
// never below Go's default nor above maxBurstGOGC. Go's goal is
// max(live + (live+roots)·GOGC/100, 4 MiB·GOGC/100).
func gogcFor(floor, live, roots uint64) int {
	g := floor * 100 / goHeapMinimum // where the minimum alone reaches floor
	if live < floor {
		g = min(g, (floor-live)*100/max(live+roots, 1))
	} else {
		g = 0
	}
	return int(min(max(g, defaultGOGC), maxBurstGOGC))
}

// advanceLocked is the allocation rate, in bytes per second, since it
// was last measured, given allocs allocated so far; it starts the next
// measurement now.
func (b *burstHeap) advanceLocked(allocs uint64) float64 {
	now := time.Now()
	d := now.Sub(b.since)
	n := allocs - b.allocs
	b.since, b.allocs = now, allocs
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
