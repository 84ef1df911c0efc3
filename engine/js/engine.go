package js

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/loop"
	"github.com/botrun/botrun/engine/watchdog"
)

// checkDrain bounds how long Check waits for the top level's pending
// operations.
const checkDrain = time.Second

// jsEngine loads JavaScript scripts under fixed limits.
type jsEngine struct {
	limits engine.Limits
	opts   options
}

// New returns the JavaScript engine. Zero fields of limits take
// engine.DefaultLimits.
func New(limits engine.Limits, opts ...Option) engine.Engine {
	e := &jsEngine{limits: limits.WithDefaults()}
	for _, o := range opts {
		o(&e.opts)
	}
	return e
}

func (e *jsEngine) Lang() string { return "js" }

// Load builds the script's runtime on a fresh loop goroutine and runs its
// top level there under the load budget.
func (e *jsEngine) Load(ctx context.Context, u engine.Unit, bs *bindings.Script) (engine.Script, error) {
	s, err := e.newScript(u, bs)
	if err != nil {
		return nil, err
	}
	if err := s.load(ctx); err != nil {
		s.closeNow()
		return nil, err
	}
	return s, nil
}

// Check compiles u and runs its top level with no platform behind the
// bindings: declarations run, I/O bindings fail with "not connected".
func (e *jsEngine) Check(ctx context.Context, u engine.Unit) []*engine.ScriptError {
	log := e.opts.log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	bs := &bindings.Script{
		Name:   u.Name,
		Path:   u.Path,
		Config: map[string]any{},
		Log:    log.With("script", u.Name),
		Reg:    bindings.NewRegistry(nil),
	}
	s, err := e.newScript(u, bs)
	if err != nil {
		return asScriptErrors(u, err)
	}
	var found []*engine.ScriptError
	s.onError = func(se *engine.ScriptError) { found = append(found, se) }
	s.check = true
	if err := s.load(ctx); err != nil {
		found = append(found, asScriptErrors(u, err)...)
	}
	// Let failed binding calls of the top level settle, so that their
	// rejections are reported too; bounded, as a top-level sleep would
	// otherwise hold Check.
	s.Start()
	drain, cancel := context.WithTimeout(ctx, checkDrain)
	s.Close(drain)
	cancel()
	// Errors reported after the top level were collected on the loop
	// goroutine, which Close has stopped.
	return dedupe(found)
}

func asScriptErrors(u engine.Unit, err error) []*engine.ScriptError {
	var se *engine.ScriptError
	if errors.As(err, &se) {
		return []*engine.ScriptError{se}
	}
	return []*engine.ScriptError{{Kind: engine.KindLoad, Script: u.Name, Path: u.Path, Message: err.Error(), Err: err}}
}

func dedupe(in []*engine.ScriptError) []*engine.ScriptError {
	seen := map[string]bool{}
	out := in[:0]
	for _, se := range in {
		if k := se.Error(); !seen[k] {
			seen[k] = true
			out = append(out, se)
		}
	}
	return out
}

// newScript opens the bot directory and builds the runtime; nothing runs
// yet.
func (e *jsEngine) newScript(u engine.Unit, bs *bindings.Script) (*script, error) {
	if bs == nil {
		return nil, fmt.Errorf("js: load %s: nil bindings.Script", u.Path)
	}
	root, err := os.OpenRoot(u.Dir)
	if err != nil {
		return nil, &engine.ScriptError{Kind: engine.KindLoad, Script: u.Name, Path: u.Path,
			Message: fmt.Sprintf("open bot directory: %v", err), Err: err}
	}
	s := &script{
		unit:    u,
		bs:      bs,
		lim:     e.limits,
		opts:    e.opts,
		root:    root,
		loop:    loop.New(e.limits.QueueSize, e.limits.MaxPending),
		modules: map[string]*module{},
	}
	if bs.Log == nil {
		l := e.opts.log
		if l == nil {
			l = slog.Default()
		}
		bs.Log = l.With("script", u.Name)
	}
	if bs.Config == nil {
		bs.Config = map[string]any{}
	}
	if bs.Reg == nil {
		bs.Reg = bindings.NewRegistry(nil)
	}
	if bs.Caps.MaxPayload == 0 {
		bs.Caps.MaxPayload = e.limits.MaxPayload
	}
	bs.Env = scriptEnv{s}
	s.setupVM()
	s.loop.SetInterrupt(func() { s.vm.Interrupt(errClosing) })
	if e.opts.dog != nil {
		s.unregister = e.opts.dog.Register(u.Name, func() bool {
			return s.guard.interruptIfRunning(s.vm, watchdog.ErrHeapLimit)
		})
	}
	return s, nil
}
