package lua

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/watchdog"
)

// Engine loads Lua scripts. It is safe for concurrent use: it holds only
// configuration; every Script has its own VM.
type Engine struct {
	limits  engine.Limits
	stdlib  fs.FS
	now     func() time.Time // WithClock's clock, or nil
	clock   func() time.Duration
	onError func(*engine.ScriptError)
	dog     *watchdog.Watchdog
}

// Option configures an Engine.
type Option func(*Engine)

// WithStdlib makes the Lua modules of fsys requirable by every script
// (require("botrun.util") → botrun/util.lua in fsys). The bot directory
// takes precedence.
func WithStdlib(fsys fs.FS) Option { return func(e *Engine) { e.stdlib = fsys } }

// WithClock sets the clock used for CPU budgets (time.Now by default).
func WithClock(now func() time.Time) Option { return func(e *Engine) { e.now = now } }

// monotonic returns a clock of the time elapsed since it was made. CPU
// budgets read it once per handler call; by default it reads only the
// monotonic clock (time.Since), about half the cost of time.Now, which on
// some virtual machines is a large share of a short handler.
func monotonic(now func() time.Time) func() time.Duration {
	if now == nil {
		epoch := time.Now()
		return func() time.Duration { return time.Since(epoch) }
	}
	epoch := now()
	return func() time.Duration { return now().Sub(epoch) }
}

// WithErrorHandler receives every error of a running script (handler
// errors, uncaught binding errors, CPU limits) after it is logged. It is
// called on the script's goroutine and must not block.
func WithErrorHandler(fn func(*engine.ScriptError)) Option {
	return func(e *Engine) { e.onError = fn }
}

// WithWatchdog registers every script with the heap watchdog, which may
// interrupt the script's running handler when the process heap is over
// its threshold.
func WithWatchdog(w *watchdog.Watchdog) Option { return func(e *Engine) { e.dog = w } }

// New returns the Lua engine with limits (zero fields take defaults).
func New(limits engine.Limits, opts ...Option) engine.Engine {
	e := &Engine{limits: limits.WithDefaults()}
	for _, o := range opts {
		o(e)
	}
	e.clock = monotonic(e.now)
	return e
}

// Lang is "lua".
func (e *Engine) Lang() string { return "lua" }

// Load builds a VM for u, runs its top level under the load budget and
// returns the script, ready but not started.
func (e *Engine) Load(ctx context.Context, u engine.Unit, s *bindings.Script) (engine.Script, error) {
	return e.load(ctx, u, s, false)
}

// Check compiles u and runs its top level with a host that has no
// platform: bindings that need one do nothing at load time.
func (e *Engine) Check(ctx context.Context, u engine.Unit) []*engine.ScriptError {
	s := &bindings.Script{
		Name:   u.Name,
		Path:   u.Path,
		Config: map[string]any{},
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Host:   &bindings.Host{},
		Reg:    bindings.NewRegistry(nil),
	}
	sc, err := e.load(ctx, u, s, true)
	if err != nil {
		return []*engine.ScriptError{asScriptError(u, err)}
	}
	closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = sc.Close(closeCtx)
	return nil
}
