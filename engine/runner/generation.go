package runner

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
)

// slot is one script name's place in the runner; its live generation is
// replaced on reload.
type slot struct {
	unit engine.Unit
	gen  *generation // guarded by Runner.mu

	dropped    atomic.Int64 // events lost to a full queue since the last report
	held       atomic.Int64 // events that waited for room since the last report
	waited     atomic.Int64 // nanoseconds those events waited
	lastReport atomic.Int64 // unix nanos of the last overflow report
}

// generation is one loaded version of a script.
type generation struct {
	n      int
	script engine.Script
	files  []string // relative, slash-separated
	hash   [32]byte // of the files' contents at load time
	// events is the set of subscribed event names, refreshed whenever the
	// script's registry changes so Dispatch never has to lock it.
	events atomic.Pointer[map[string]struct{}]
}

func (g *generation) refreshEvents() {
	names := g.script.Registry().Events()
	set := make(map[string]struct{}, len(names))
	for _, n := range names {
		set[n] = struct{}{}
	}
	g.events.Store(&set)
}

// wants reports whether the generation subscribed to ev by name, alias or "*".
func (g *generation) wants(ev *bindings.Event) bool {
	set := g.events.Load()
	if set == nil || len(*set) == 0 {
		return false
	}
	if _, ok := (*set)[ev.Name]; ok {
		return true
	}
	if _, ok := (*set)["*"]; ok {
		return true
	}
	for _, a := range ev.Aliases {
		if _, ok := (*set)[a]; ok {
			return true
		}
	}
	return false
}

// build loads a new generation of u off to the side. Nothing is swapped.
func (r *Runner) build(ctx context.Context, u engine.Unit, n int) (*generation, error) {
	eng := r.engines[u.Lang]
	if eng == nil {
		msg := fmt.Sprintf("no engine for %s scripts in this build", u.Lang)
		if r.cfg.NoEngine != nil {
			msg = r.cfg.NoEngine(u.Lang)
		}
		return nil, &engine.ScriptError{Kind: engine.KindLoad, Script: u.Name, Path: u.Path, Message: msg}
	}
	conf := r.cfg.ScriptConfig[u.Name]
	if conf == nil {
		conf = map[string]any{}
	}
	g := &generation{n: n}
	var ready atomic.Bool
	s := &bindings.Script{
		Name:   u.Name,
		Path:   u.Path,
		Config: conf,
		Log:    r.log.With("script", u.Name),
		Host:   r.cfg.Host,
		Caps:   r.cfg.Caps,
	}
	s.Reg = bindings.NewRegistry(func() {
		// Handlers added or removed after load (on/off inside handlers)
		// change what this script wants and possibly the intents.
		if ready.Load() {
			g.refreshEvents()
			r.notify.schedule()
		}
	})
	// The load runs under the runner's lifetime, not the caller's: the
	// engine may tie the generation's context to it.
	loadCtx := r.ctx
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	sc, err := eng.Load(loadCtx, u, s)
	if err != nil {
		return nil, err
	}
	g.script = sc
	g.files = normFiles(u, sc.Files())
	g.hash = hashFiles(u.Dir, g.files)
	g.refreshEvents()
	ready.Store(true)
	return g, nil
}

func normFiles(u engine.Unit, files []string) []string {
	out := make([]string, 0, len(files)+1)
	for _, f := range files {
		out = append(out, filepath.ToSlash(filepath.Clean(f)))
	}
	if !slices.Contains(out, u.Path) {
		out = append(out, u.Path)
	}
	sort.Strings(out)
	return out
}

// hashFiles hashes the contents of files (missing files hash as absent), so a
// reload triggered by a save that changed nothing can be skipped.
func hashFiles(dir string, files []string) [32]byte {
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00", f)
		fh, err := os.Open(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			h.Write([]byte("\x01missing"))
			continue
		}
		io.Copy(h, fh)
		fh.Close()
		h.Write([]byte{0})
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// reorder rebuilds the delivery order from slots. Caller holds r.mu.
func (r *Runner) reorder() {
	r.order = r.order[:0]
	for _, s := range r.slots {
		r.order = append(r.order, s)
	}
	sort.Slice(r.order, func(i, j int) bool { return r.order[i].unit.Name < r.order[j].unit.Name })
}

// reloadUnit brings the script called name in line with the disk: loads it
// if new, reloads it if its files changed, unloads it if it is gone. A
// failed load leaves the live generation untouched.
func (r *Runner) reloadUnit(ctx context.Context, name string) {
	units, problems, err := DiscoverPrefer(r.cfg.Dir, r.cfg.Prefer)
	if err != nil {
		r.log.Error("rescan bot directory", "error", err)
		return
	}
	var unit *engine.Unit
	for i := range units {
		if units[i].Name == name {
			unit = &units[i]
		}
	}
	for _, p := range problems {
		if de := p.(*DiscoveryError); unitOfPath(de.Path) == name && !de.Twin {
			r.log.Error("bot directory", "error", p.Error())
		}
	}
	r.mu.RLock()
	cur := r.slots[name]
	closed := r.closed
	var curGen *generation
	if cur != nil {
		curGen = cur.gen
	}
	r.mu.RUnlock()
	if closed {
		return
	}
	if unit == nil {
		if cur != nil {
			r.unload(name)
		}
		return
	}
	n := 1
	if curGen != nil {
		if cur.unit == *unit && hashFiles(r.cfg.Dir, curGen.files) == curGen.hash {
			return // a save that changed nothing, or an event we already handled
		}
		n = curGen.n + 1
	}
	start := time.Now()
	g, err := r.build(ctx, *unit, n)
	if err != nil {
		r.report(LoadEvent{Unit: *unit, Generation: n, Reload: curGen != nil, Err: err, Took: time.Since(start)})
		return
	}
	g.script.Start()
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		// Close already stopped everything; this generation never served.
		ctx, cancel := context.WithTimeout(context.Background(), r.cfg.Grace)
		_ = g.script.Close(ctx)
		cancel()
		return
	}
	if s := r.slots[name]; s != nil {
		r.retireLocked(s.gen)
		s.gen, s.unit = g, *unit
	} else {
		r.slots[name] = &slot{unit: *unit, gen: g}
		r.reorder()
	}
	r.mu.Unlock()
	r.report(LoadEvent{Unit: *unit, Generation: n, Reload: curGen != nil, Took: time.Since(start)})
	r.notify.schedule()
}

// unload retires the script called name.
func (r *Runner) unload(name string) {
	r.mu.Lock()
	s := r.slots[name]
	if s == nil || r.closed {
		r.mu.Unlock()
		return
	}
	delete(r.slots, name)
	r.reorder()
	r.retireLocked(s.gen)
	r.mu.Unlock()
	r.report(LoadEvent{Unit: s.unit, Generation: s.gen.n, Unloaded: true})
	r.notify.schedule()
}

// retireLocked closes a generation that no longer receives events, giving
// its queued and in-flight handlers the grace period to finish. The caller
// holds r.mu and has seen r.closed false, so the Add happens before Close
// waits on r.retiring.
func (r *Runner) retireLocked(g *generation) {
	r.retiring.Add(1)
	go func() {
		defer r.retiring.Done()
		ctx, cancel := context.WithTimeout(context.Background(), r.cfg.Grace)
		defer cancel()
		if err := g.script.Close(ctx); err != nil {
			r.log.Warn("retiring old generation", "script", g.script.Unit().Name, "error", err)
		}
	}()
}
