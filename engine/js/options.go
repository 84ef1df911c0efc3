package js

import (
	"io/fs"
	"log/slog"
	"time"

	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/watchdog"
)

// Option configures the engine.
type Option func(*options)

type options struct {
	now    func() time.Time // what Date sees; nil = time.Now
	rand   func() float64   // what Math.random returns; nil = goja's default
	stdlib fs.FS            // modules resolvable by bare name after the bot dir
	log    *slog.Logger     // logger for Check and for scripts without one
	dog    *watchdog.Watchdog
	onErr  func(*engine.ScriptError)
}

// WithWatchdog registers every loaded script with the heap watchdog, which
// may interrupt the script's running invocation when the process heap is
// over its threshold.
func WithWatchdog(w *watchdog.Watchdog) Option { return func(o *options) { o.dog = w } }

// WithErrorHandler receives every error of a running script (handler
// errors, unhandled rejections, limits) after it is logged. It is called
// on the script's goroutine and must not block.
func WithErrorHandler(fn func(*engine.ScriptError)) Option { return func(o *options) { o.onErr = fn } }

// WithTimeSource sets the clock JavaScript's Date reads, for deterministic
// tests. It does not affect CPU budgets or timers.
func WithTimeSource(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithRandSource sets the source of Math.random, for deterministic tests.
func WithRandSource(r func() float64) Option { return func(o *options) { o.rand = r } }

// WithStdlib makes the modules of fsys (paths like "botrun/format.js")
// available to require() by bare name when the bot directory has no such
// module.
func WithStdlib(fsys fs.FS) Option { return func(o *options) { o.stdlib = fsys } }

// WithLogger sets the logger used where a script has none (Check).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }
