package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
)

// Config configures a Runner. Dir and Engines are required.
type Config struct {
	// Dir is the bot directory.
	Dir string
	// Engines are the script runtimes, one per language ("lua", "js").
	Engines []engine.Engine
	// Host is handed to every script's bindings.
	Host *bindings.Host
	// Log receives the runner's own messages; each script gets a child
	// logger carrying its name. Defaults to slog.Default().
	Log *slog.Logger
	// ScriptConfig is the per-script settings table ([scripts.NAME] in
	// botrun.toml), keyed by script name.
	ScriptConfig map[string]map[string]any
	// Caps are the binding caps of every script (zero fields: defaults).
	Caps bindings.Caps
	// Prefer is the language whose twin runs when a top-level script
	// exists in both ("lua", the default, or "js").
	Prefer string
	// NoEngine, if set, says why a script's language has no engine (how
	// the binary was built, say); it becomes the script's load error.
	NoEngine func(lang string) string

	// OnEvents receives the sorted union of the event names scripts are
	// subscribed to, once after Load and then whenever it changes
	// (debounced by NotifyDelay). cmd/botrun turns it into intents.
	OnEvents func(names []string)
	// OnCommands receives every declared command, in script order, and
	// every script's component, modal and autocomplete routes, once after
	// Load and then whenever either changes (debounced).
	OnCommands func(cmds []Command, routes map[string][]bindings.Route)
	// OnLoad reports every load or reload of a script (err nil on success)
	// and every unload (Unloaded true). Called from the loading goroutine.
	OnLoad func(ev LoadEvent)

	// Grace is how long a retired generation may keep running queued and
	// in-flight handlers after a reload or unload. Default 5s.
	Grace time.Duration
	// Debounce is the quiet time after the last file event of a script
	// before it is reloaded. Default 75ms.
	Debounce time.Duration
	// NotifyDelay batches OnEvents/OnCommands after changes. Default 100ms.
	NotifyDelay time.Duration
}

// Command is one command declared by a script.
type Command struct {
	Script string
	Spec   map[string]any
	// Where is "path:line" of the declaration, for validation errors.
	Where string
}

// LoadEvent describes the outcome of loading, reloading or unloading one
// script.
type LoadEvent struct {
	Unit       engine.Unit
	Generation int // 1 for the first load, +1 for each successful reload
	Reload     bool
	Unloaded   bool
	Err        error
	Took       time.Duration
}

// Runner runs the scripts of one bot directory.
type Runner struct {
	cfg     Config
	log     *slog.Logger
	engines map[string]engine.Engine
	ctx     context.Context // lifetime of every generation; cancelled by Close
	cancel  context.CancelFunc

	mu     sync.RWMutex // guards slots, order and closed; Dispatch holds it shared
	slots  map[string]*slot
	order  []*slot // slots sorted by name: the delivery order
	closed bool

	retiring sync.WaitGroup // generations being closed after a swap or unload
	notify   *notifier

	onWatching func()    // test hook: called once the watches are in place
	tomlWarned time.Time // last "botrun.toml changed" warning; only the Watch goroutine uses it
}

// New returns a Runner with nothing loaded; call Load, then Watch.
func New(cfg Config) (*Runner, error) {
	if cfg.Dir == "" {
		return nil, errors.New("runner: Dir is required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Host == nil {
		cfg.Host = &bindings.Host{}
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 5 * time.Second
	}
	if cfg.Debounce <= 0 {
		cfg.Debounce = 75 * time.Millisecond
	}
	if cfg.NotifyDelay <= 0 {
		cfg.NotifyDelay = 100 * time.Millisecond
	}
	r := &Runner{cfg: cfg, log: cfg.Log, engines: map[string]engine.Engine{}, slots: map[string]*slot{}}
	for _, e := range cfg.Engines {
		r.engines[e.Lang()] = e
	}
	if len(r.engines) == 0 {
		return nil, errors.New("runner: no engines configured")
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.notify = newNotifier(r, cfg.NotifyDelay)
	return r, nil
}

// Load discovers and loads every script. A script that fails to load is
// reported (in the returned errors and through OnLoad) and skipped; the
// others still load. It calls OnEvents and OnCommands once before
// returning, so the caller can set intents before connecting.
func (r *Runner) Load(ctx context.Context) []error {
	units, errs, err := DiscoverPrefer(r.cfg.Dir, r.cfg.Prefer)
	if err != nil {
		return []error{err}
	}
	var problems []error
	var twins []string
	for _, e := range errs {
		if de, ok := e.(*DiscoveryError); ok && de.Twin {
			twins = append(twins, de.Path)
			continue
		}
		if de, ok := e.(*DiscoveryError); ok && de.Warning {
			r.log.Warn("bot directory", "warning", e.Error())
			continue
		}
		r.log.Error("bot directory", "error", e.Error())
		problems = append(problems, e)
	}
	errs = problems
	if len(twins) > 0 {
		ran, other := "Lua", "js"
		if r.cfg.Prefer == "js" {
			ran, other = "JavaScript", "lua"
		}
		r.log.Info(fmt.Sprintf("scripts written in both languages: the %s ones run; --prefer %s runs the others", ran, other),
			"skipped", strings.Join(twins, ", "))
	}
	gens := make([]*generation, len(units))
	loadErrs := make([]error, len(units))
	// Loading is CPU-bound VM setup; spread it over the cores.
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, u := range units {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			start := time.Now()
			g, err := r.build(ctx, u, 1)
			gens[i], loadErrs[i] = g, err
			r.report(LoadEvent{Unit: u, Generation: 1, Err: err, Took: time.Since(start)})
		}()
	}
	wg.Wait()
	r.mu.Lock()
	for i, g := range gens {
		if g == nil {
			errs = append(errs, loadErrs[i])
			continue
		}
		s := &slot{unit: units[i], gen: g}
		r.slots[s.unit.Name] = s
		g.script.Start()
	}
	r.reorder()
	r.mu.Unlock()
	r.notify.flush()
	return errs
}

// Scripts returns the names of the loaded scripts in delivery order.
func (r *Runner) Scripts() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, len(r.order))
	for i, s := range r.order {
		out[i] = s.unit.Name
	}
	return out
}

// Close stops delivering events, lets every script finish its queued and
// in-flight handlers until ctx is done, then stops them. It waits for
// generations retired by earlier reloads too.
func (r *Runner) Close(ctx context.Context) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	order := r.order
	r.order, r.slots = nil, map[string]*slot{}
	r.mu.Unlock()
	r.notify.stop()

	var wg sync.WaitGroup
	errs := make([]error, len(order))
	for i, s := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.gen.script.Close(ctx); err != nil {
				errs[i] = fmt.Errorf("close %s: %w", s.unit.Name, err)
			}
		}()
	}
	wg.Wait()
	r.retiring.Wait()
	r.cancel()
	for _, s := range order {
		if n := s.dropped.Swap(0); n > 0 {
			r.log.Warn("script event queue full; events dropped for this script only",
				"script", s.unit.Name, "dropped", n)
		}
	}
	return errors.Join(errs...)
}

// report logs a load outcome and passes it to OnLoad.
func (r *Runner) report(ev LoadEvent) {
	name := ev.Unit.Name
	switch {
	case ev.Unloaded:
		r.log.Info("script unloaded", "script", name, "path", ev.Unit.Path)
	case ev.Err != nil && ev.Reload:
		r.log.Error("reload failed; the previous version keeps running", "script", name,
			"error", ev.Err.Error(), "frame", CodeFrame(r.cfg.Dir, ev.Err))
	case ev.Err != nil:
		r.log.Error("script failed to load", "script", name,
			"error", ev.Err.Error(), "frame", CodeFrame(r.cfg.Dir, ev.Err))
	case ev.Reload:
		r.log.Info("script reloaded", "script", name, "path", ev.Unit.Path,
			"generation", ev.Generation, "took", ev.Took.Round(time.Microsecond))
	default:
		r.log.Debug("script loaded", "script", name, "path", ev.Unit.Path, "took", ev.Took.Round(time.Microsecond))
	}
	if r.cfg.OnLoad != nil {
		r.cfg.OnLoad(ev)
	}
}
