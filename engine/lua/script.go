package lua

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/loop"
	"github.com/botrun/botrun/engine/watchdog"
)

// script is one loaded generation. Fields without a comment belong to the
// loop goroutine (and to Load before the loop runs anything).
type script struct {
	eng    *Engine
	unit   engine.Unit
	bs     *bindings.Script
	limits engine.Limits
	check  bool // botrun check: platform-less bindings are no-ops
	log    *slog.Logger
	loop   *loop.Loop
	root   *os.Root // the bot directory, for require

	L       *lua.LState
	mark    *lua.LUserData // the value async bindings yield; never visible to scripts
	mkasync *lua.LFunction // prelude: wraps a raw async binding into a raising function
	viewMT  *lua.LTable
	errMT   *lua.LTable
	arrayMT *lua.LTable // json.array() marker
	objMT   *lua.LTable // json.object() marker

	pairsAux, ipairsAux, viewIpairsAux lua.LValue // iterator step functions
	methods                            map[string]map[string]lua.LValue
	funcs                              map[string]lua.LValue // the script functions of the bindings, by name

	modules   map[string]lua.LValue // require cache by resolved file
	loading   map[string]bool       // modules whose top level is running (cycle check)
	roots     map[*lua.LState]bool  // handler coroutines: scripts may not resume them
	idle      []*lua.LState         // finished handler coroutines, reused (a new one costs ~10 KB)
	events    map[string]*eventInfo // per event name, so a dispatch builds no string
	lastEvent *eventInfo            // the last one looked up
	kinds     map[string]*kindSet   // method sets of the Object kinds, shared by their views
	depth     int                   // nested coroutine resumes (pcall, user coroutines)

	// The last view field read that built a view and the last that
	// boxed a string; see fieldCache.
	lastView, lastStr fieldCache
	// first is room for the first view read from firstOf, the view of
	// the message being delivered; see eventBox.
	first   *viewBox
	firstOf *view
	active  *run // the run inside the VM right now
	// waiting are coroutines (other than handler roots) suspended inside an
	// async binding; only the engine's delivery of the result may resume
	// them (delivering is true while it does).
	waiting    map[*lua.LState]bool
	delivering bool

	filesMu sync.Mutex // guards files: read by the runner
	files   []string

	spare      *run         // a finished run, reused by the next invoke
	intr       *interrupter // the context every coroutine runs under
	unregister func()       // leaves the watchdog
	freed      sync.Once
}

// run is one handler invocation (or the top level) in its coroutine.
type run struct {
	co     *lua.LState
	fn     *lua.LFunction
	what   string // "load", "handler", "timer callback", ...
	kind   engine.ErrorKind
	limit  time.Duration // CPU budget: only stretches of running script code count
	used   time.Duration
	waited bool                          // it has yielded to an async binding at least once
	done   func(rets []lua.LValue)       // on success; may be nil
	failed func(err *engine.ScriptError) // instead of logging (load)
	onErr  func(err *engine.ScriptError) // after logging (Delivery.OnError)
}

func (e *Engine) load(ctx context.Context, u engine.Unit, bs *bindings.Script, check bool) (engine.Script, error) {
	if bs.Reg == nil {
		bs.Reg = bindings.NewRegistry(nil)
	}
	if bs.Config == nil {
		bs.Config = map[string]any{}
	}
	if bs.Caps.MaxPayload == 0 {
		bs.Caps.MaxPayload = e.limits.MaxPayload
	}
	s := &script{
		eng: e, unit: u, bs: bs, limits: e.limits, check: check,
		loop:    loop.New(e.limits.QueueSize, e.limits.MaxPending),
		modules: map[string]lua.LValue{},
		loading: map[string]bool{},
		roots:   map[*lua.LState]bool{},
		waiting: map[*lua.LState]bool{},
		methods: map[string]map[string]lua.LValue{},
		funcs:   map[string]lua.LValue{},
	}
	s.intr = newInterrupter(s.loop.Context(), e.clock)
	s.log = bs.Log
	if s.log == nil {
		s.log = slog.Default().With("script", u.Name)
		bs.Log = s.log
	}
	bs.Env = s
	if e.dog != nil {
		s.unregister = e.dog.Register(u.Name, s.interruptRunning)
	}
	fail := func(err error) (engine.Script, error) {
		if s.unregister != nil {
			s.unregister()
		}
		s.loop.Close(context.Background())
		if s.L != nil {
			s.L.Close()
		}
		if s.root != nil {
			s.root.Close()
		}
		return nil, err
	}
	root, err := os.OpenRoot(u.Dir)
	if err != nil {
		return fail(&engine.ScriptError{Kind: engine.KindLoad, Script: u.Name, Path: u.Path, Message: "cannot open bot directory: " + err.Error(), Err: err})
	}
	s.root = root
	if err := s.newState(); err != nil {
		return fail(err)
	}
	fn, err := s.compile(u.Path)
	if err != nil {
		return fail(err)
	}
	s.addFile(u.Path)

	// The top level runs on the loop goroutine like everything else, so
	// async bindings at load time resume through the same path.
	result := make(chan error, 1)
	s.loop.SetDeliver(s.dispatch)
	s.loop.Start()
	s.loop.Post(func() {
		r := &run{fn: fn, what: "load", kind: engine.KindLoad, limit: e.limits.LoadCPU,
			done:   func([]lua.LValue) { result <- nil },
			failed: func(se *engine.ScriptError) { result <- se },
		}
		s.start(r)
	})
	select {
	case err := <-result:
		if err != nil {
			return fail(err)
		}
	case <-ctx.Done():
		return fail(fmt.Errorf("load %s: %w", u.Path, ctx.Err()))
	case <-s.loop.Done():
		return fail(fmt.Errorf("load %s: script stopped during load", u.Path))
	}
	return s, nil
}

func (s *script) addFile(rel string) {
	s.filesMu.Lock()
	defer s.filesMu.Unlock()
	if !slices.Contains(s.files, rel) {
		s.files = append(s.files, rel)
	}
}

// Unit implements engine.Script.
func (s *script) Unit() engine.Unit { return s.unit }

// Registry implements engine.Script.
func (s *script) Registry() *bindings.Registry { return s.bs.Reg }

// Files implements engine.Script.
func (s *script) Files() []string {
	s.filesMu.Lock()
	defer s.filesMu.Unlock()
	return slices.Clone(s.files)
}

// Start implements engine.Script.
func (s *script) Start() { s.loop.Open() }

// Deliver implements engine.Script.
func (s *script) Deliver(d *engine.Delivery) error {
	return s.loop.SubmitDelivery(d)
}

// Close implements engine.Script. The VM is freed once the loop goroutine
// has exited, so nothing else can be touching it.
func (s *script) Close(ctx context.Context) error {
	if s.unregister != nil {
		s.unregister()
	}
	err := s.loop.Close(ctx)
	s.freeOnce()
	if err != nil {
		return fmt.Errorf("close %s: %w", s.unit.Name, err)
	}
	return nil
}

// freeOnce releases the VM and the directory handle; concurrent Close
// calls both get here.
func (s *script) freeOnce() {
	s.freed.Do(func() {
		s.L.Close()
		s.L = nil
		s.root.Close()
	})
}

// interruptRunning stops the script code running right now, if any; the
// heap watchdog calls it from its own goroutine.
func (s *script) interruptRunning() bool {
	return s.intr.fire(watchdog.ErrHeapLimit, false)
}

// Post implements bindings.Env: cb runs as a fresh invocation with args.
func (s *script) Post(cb bindings.Callback, args ...any) bool {
	return s.PostTracked(cb, nil, args...)
}

// PostTracked implements bindings.PostTracker: done is called once cb has
// run up to its end or its first wait, or at once when it is dropped.
func (s *script) PostTracked(cb bindings.Callback, done func(), args ...any) bool {
	if done == nil {
		done = func() {}
	}
	c, ok := cb.(*callback)
	if !ok || c.s != s {
		done()
		return false
	}
	posted := s.loop.Post(func() {
		defer done()
		if s.L == nil {
			return
		}
		largs := make([]lua.LValue, len(args))
		for i, a := range args {
			largs[i] = s.toLua(a)
		}
		s.invoke(c.fn, "callback", largs, nil, nil)
	})
	if !posted {
		done()
	}
	return posted
}

// Acquire implements bindings.Env.
func (s *script) Acquire() (func(), error) { return s.loop.Acquire() }

// callback is a Lua function handed to a binding.
type callback struct {
	s  *script
	fn *lua.LFunction
}

func (c *callback) Lang() string { return "lua" }

// invoke runs fn(args...) as a new handler invocation. onErr, if not nil,
// hears of its failure after it is logged.
func (s *script) invoke(fn *lua.LFunction, what string, args []lua.LValue, done func([]lua.LValue), onErr func(*engine.ScriptError)) {
	r := s.spare
	if r != nil {
		s.spare = nil
	} else {
		r = new(run)
	}
	*r = run{fn: fn, what: what, kind: engine.KindHandler, limit: s.limits.CPU, done: done, onErr: onErr}
	s.start(r, args...)
}

// release keeps a finished handler run for the next invoke. A run that
// waited in an async binding is left to the collector: the binding's
// goroutine held a reference to it.
func (s *script) release(r *run) {
	if r.waited || r.failed != nil {
		return
	}
	*r = run{}
	s.spare = r
}

func (s *script) start(r *run, args ...lua.LValue) {
	var co *lua.LState
	if n := len(s.idle); n > 0 {
		// Idle threads are still in roots: a script may have kept one
		// (coroutine.running) and must not resume it.
		co = s.idle[n-1]
		s.idle = s.idle[:n-1]
	} else {
		var cancel context.CancelFunc
		co, cancel = s.L.NewThread()
		if cancel != nil {
			cancel()
		}
		s.roots[co] = true
	}
	r.co = co
	s.resume(r, args...)
}

// resume enters the VM for one stretch of r, under what is left of its CPU
// budget, and handles how the stretch ended. The clock is read once for a
// stretch that returns, twice for one that waits or fails.
func (s *script) resume(r *run, args ...lua.LValue) {
	if s.L == nil {
		return
	}
	began := s.eng.clock()
	s.intr.arm(began, max(r.limit-r.used, time.Nanosecond), r.used > 0)
	r.co.SetContext(s.intr)
	prev := s.active
	s.active = r
	st, err, vals := s.L.Resume(r.co, r.fn, args...)
	s.active = prev
	cause := s.intr.disarm()
	switch st {
	case lua.ResumeYield:
		r.used += s.eng.clock() - began
		if len(vals) > 0 && vals[0] == s.mark {
			r.waited = true
			return // an async binding resumes r when its result is posted
		}
		delete(s.roots, r.co)
		se := &engine.ScriptError{Kind: r.kind, Message: "attempt to yield from outside a coroutine", Stack: traceback(r.co)}
		if first, _, _ := strings.Cut(se.Stack, "\n"); first != "" {
			se.Path, se.Line, _ = splitLocation(first)
		}
		s.report(r, se)
	case lua.ResumeOK:
		// The top level's thread is not kept: an idle script holds no
		// thread until its first event (~4 KB each).
		if r.kind == engine.KindLoad || !s.recycle(r.co) {
			delete(s.roots, r.co)
		}
		if r.done != nil {
			r.done(vals)
		}
		s.release(r)
	default:
		r.used += s.eng.clock() - began
		exhausted := r.used >= r.limit
		delete(s.roots, r.co)
		se := s.scriptError(r.kind, err)
		if se.Stack == "" {
			se.Stack = traceback(r.co)
		}
		switch {
		case errors.Is(cause, watchdog.ErrHeapLimit) && isContextError(err):
			se.Kind = engine.KindLimit
			se.Message = r.what + " interrupted: " + watchdog.ErrHeapLimit.Error()
			se.Err = cause
		case errors.Is(cause, errBudget) || (exhausted && isContextError(err)):
			se.Kind = engine.KindLimit
			se.Message = fmt.Sprintf("%s exceeded its CPU budget of %s", r.what, r.limit)
			se.Err = &loop.BudgetError{What: r.what, Limit: r.limit}
		case s.loop.Context().Err() != nil && isContextError(err):
			se.Kind = engine.KindLimit
			se.Message = r.what + " interrupted: script stopped"
			se.Err = s.loop.Context().Err()
		}
		s.report(r, se)
		s.release(r)
	}
}

// maxIdleThreads bounds the pool of finished handler coroutines.
const maxIdleThreads = 16

// recycle keeps a coroutine that returned normally for the next handler.
// A finished gopher-lua thread has an empty call stack and is only marked
// dead; clearing the mark and its value stack makes it a fresh thread.
// Threads that raised are dropped: their state is not worth trusting.
func (s *script) recycle(co *lua.LState) bool {
	if len(s.idle) >= maxIdleThreads || co.GetTop() < 0 {
		return false
	}
	co.SetTop(0)
	co.Dead = false
	co.RemoveContext()
	s.idle = append(s.idle, co)
	return true
}

func (s *script) report(r *run, se *engine.ScriptError) {
	se.Script = s.unit.Name
	if se.Path == "" {
		se.Path = s.unit.Path
	}
	if r.failed != nil {
		r.failed(se)
		return
	}
	if s.eng.onError != nil {
		s.eng.onError(se)
	}
	s.log.Error(r.what+" failed", "error", se.Error(), "kind", string(se.Kind))
	if r.onErr != nil {
		r.onErr(se)
	}
}

// maxEvents bounds the per-event-name cache; event names are a small
// fixed set on every platform, so this is only a guard against unusual
// ones.
const maxEvents = 256

// eventInfo is what a dispatch needs to know of an event name, looked up
// once per delivery.
type eventInfo struct {
	name  string
	label string   // "<name> handler", the name of a handler run in errors
	kind  *kindSet // the method set of the event's data; nil for plain data
}

// eventInfo returns the dispatch facts of event name, built once per name.
func (s *script) eventInfo(name string) *eventInfo {
	// Events of one name tend to come in runs: compare before hashing.
	if ei := s.lastEvent; ei != nil && ei.name == name {
		return ei
	}
	if ei, ok := s.events[name]; ok {
		s.lastEvent = ei
		return ei
	}
	ei := &eventInfo{name: name, label: name + " handler"}
	if k := bindings.KindOf(name); k != "" {
		ei.kind = s.kindOf(k)
	}
	if s.events == nil {
		s.events = make(map[string]*eventInfo)
	}
	if len(s.events) < maxEvents {
		s.events[name] = ei
		s.lastEvent = ei
	}
	return ei
}
