package engine

import (
	"context"
	"errors"
	"time"

	"github.com/botrun/botrun/bindings"
)

// Unit is one script as found on disk.
type Unit struct {
	// Name is the script name: the file name without extension for a
	// top-level file, the folder name for a folder script.
	Name string
	// Path is the entry file (ping.lua, greet/index.js) relative to Dir.
	Path string
	// Dir is the bot directory: the root require() may not leave.
	Dir string
	// Lang is "lua" or "js".
	Lang string
}

// Engine loads scripts of one language.
type Engine interface {
	Lang() string
	// Load builds a fresh VM for u, runs its top level under the load
	// budget and returns the script, ready but not started. s is the
	// script's binding state (registry, host, env is set by the engine).
	// A failure is a *ScriptError (or wraps one) and leaves nothing running.
	Load(ctx context.Context, u Unit, s *bindings.Script) (Script, error)
	// Check compiles u and runs its top level without a platform, reporting
	// every error it can find (`botrun check`).
	Check(ctx context.Context, u Unit) []*ScriptError
}

// Script is a loaded script generation.
type Script interface {
	Unit() Unit
	// Registry is what the script declared (handlers, commands, routes).
	Registry() *bindings.Registry
	// Files lists every file the script loaded (entry and required
	// modules), relative to the bot directory, for module-change reloads.
	Files() []string
	// Start lets the VM goroutine begin handling deliveries. Deliveries
	// made before Start wait in the queue.
	Start()
	// Deliver enqueues an event without blocking. It fails with
	// ErrQueueFull when the script's queue is full and ErrClosed after
	// Close began; the caller reports it.
	Deliver(d *Delivery) error
	// Close stops taking deliveries, lets queued and in-flight handlers
	// finish until ctx is done, then interrupts what is left, cancels
	// timers and pending operations and frees the VM. Safe to call twice.
	Close(ctx context.Context) error
}

var (
	ErrQueueFull = errors.New("script event queue full")
	ErrClosed    = errors.New("script closed")
)

// Limits are enforced by the host for every script. Zero fields take the
// defaults of DefaultLimits.
type Limits struct {
	// CPU is the budget of running script code per handler call (waiting
	// on I/O does not count). Default 1s.
	CPU time.Duration
	// LoadCPU is the budget for running the script's top level. Default 1s.
	LoadCPU time.Duration
	// CallStack bounds call depth (Lua frames, JS stack). Default 200.
	CallStack int
	// LuaRegistryMax bounds the Lua registry (value stack) in slots.
	LuaRegistryMax int
	// MaxString is the largest string a size-checked built-in
	// (string.rep, repeat, padStart, table.concat, join) may build.
	// Default 16 MiB.
	MaxString int
	// MaxPayload is the largest value (JSON-encoded) passed to a binding.
	// Default 8 MiB.
	MaxPayload int
	// MaxPending caps pending async operations plus timers per script.
	// Default 1000.
	MaxPending int
	// QueueSize is the per-script event queue length. Default 256: with
	// back-pressure a deeper queue loses nothing more, it only holds more
	// parsed events in memory during a burst.
	QueueSize int
}

// DefaultLimits are the limits used where a field is zero.
var DefaultLimits = Limits{
	CPU:            time.Second,
	LoadCPU:        time.Second,
	CallStack:      200,
	LuaRegistryMax: 1 << 20,
	MaxString:      16 << 20,
	MaxPayload:     8 << 20,
	MaxPending:     1000,
	QueueSize:      256,
}

// WithDefaults returns l with zero fields set from DefaultLimits.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits
	if l.CPU > 0 {
		d.CPU = l.CPU
	}
	if l.LoadCPU > 0 {
		d.LoadCPU = l.LoadCPU
	}
	if l.CallStack > 0 {
		d.CallStack = l.CallStack
	}
	if l.LuaRegistryMax > 0 {
		d.LuaRegistryMax = l.LuaRegistryMax
	}
	if l.MaxString > 0 {
		d.MaxString = l.MaxString
	}
	if l.MaxPayload > 0 {
		d.MaxPayload = l.MaxPayload
	}
	if l.MaxPending > 0 {
		d.MaxPending = l.MaxPending
	}
	if l.QueueSize > 0 {
		d.QueueSize = l.QueueSize
	}
	return d
}
