package watchdog

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sort"
	"sync"
	"time"
)

// Config configures a Watchdog. Zero fields take defaults.
type Config struct {
	// Threshold is the heap size (bytes of live and not yet swept objects)
	// at which running scripts are interrupted. Default: 75% of the
	// process memory limit (debug.SetMemoryLimit) when one is set,
	// otherwise the watchdog never fires.
	Threshold uint64
	// Aside is heap that holds no memory: a block that is allocated but
	// never touched (botrun's heap reserve), which its owner has also
	// added to the memory limit. It is left out of every reading and of
	// the memory limit the default Threshold is worked out from.
	Aside uint64
	// Interval between samples. Default 100ms.
	Interval time.Duration
	Log      *slog.Logger
	// Heap reads the current heap size; tests inject one. Default reads
	// runtime/metrics.
	Heap func() uint64
}

// Interrupter stops the script code a script is running right now, if
// any, and reports whether it stopped something.
type Interrupter func() bool

// Watchdog samples the heap and interrupts running scripts over the
// threshold.
type Watchdog struct {
	cfg Config

	mu      sync.Mutex // guards scripts and next
	scripts map[uint64]entry
	next    uint64
}

type entry struct {
	name      string
	interrupt Interrupter
}

const heapMetric = "/memory/classes/heap/objects:bytes"

// New returns a watchdog; call Run to start sampling.
func New(cfg Config) *Watchdog {
	if cfg.Threshold == 0 {
		if limit := debug.SetMemoryLimit(-1); limit != math.MaxInt64 && uint64(limit) > cfg.Aside {
			cfg.Threshold = (uint64(limit) - cfg.Aside) / 4 * 3
		}
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 100 * time.Millisecond
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Heap == nil {
		cfg.Heap = readHeap
	}
	return &Watchdog{cfg: cfg, scripts: map[uint64]entry{}}
}

func readHeap() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// Threshold is the heap size at which the watchdog fires (0: never).
func (w *Watchdog) Threshold() uint64 { return w.cfg.Threshold }

// Register adds a script; unregister removes it (call it on Close).
func (w *Watchdog) Register(name string, interrupt Interrupter) (unregister func()) {
	w.mu.Lock()
	w.next++
	id := w.next
	w.scripts[id] = entry{name: name, interrupt: interrupt}
	w.mu.Unlock()
	return func() {
		w.mu.Lock()
		delete(w.scripts, id)
		w.mu.Unlock()
	}
}

// Run samples until ctx is done.
func (w *Watchdog) Run(ctx context.Context) {
	if w.cfg.Threshold == 0 {
		<-ctx.Done()
		return
	}
	t := time.NewTicker(w.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.Check()
		}
	}
}

// Check takes one sample and interrupts running scripts if the heap is
// over the threshold. It returns the names of the scripts it interrupted.
func (w *Watchdog) Check() []string {
	heap := w.cfg.Heap()
	heap -= min(heap, w.cfg.Aside)
	if w.cfg.Threshold == 0 || heap < w.cfg.Threshold {
		return nil
	}
	w.mu.Lock()
	list := make([]entry, 0, len(w.scripts))
	for _, e := range w.scripts {
		list = append(list, e)
	}
	w.mu.Unlock()
	var hit []string
	for _, e := range list {
		if e.interrupt() {
			hit = append(hit, e.name)
		}
	}
	sort.Strings(hit)
	if len(hit) > 0 {
		w.cfg.Log.Warn("heap over limit: interrupted running scripts",
			"heap_bytes", heap, "threshold_bytes", w.cfg.Threshold, "scripts", hit)
	}
	return hit
}

// ErrHeapLimit is the cause engines give an interrupt by the watchdog.
var ErrHeapLimit = errors.New("process heap over limit: script interrupted")
