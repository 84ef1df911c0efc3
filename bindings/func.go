package bindings

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Fn implements a binding. Sync bindings run on the script's VM goroutine
// and must return quickly; Async ones run on a goroutine of their own while
// the script waits (Lua: the calling coroutine yields; JS: a Promise), so
// they may block on I/O. Either way Fn must honour c.Ctx.
type Fn func(c *Call) (any, error)

// Func is one entry of the script API.
type Func struct {
	// Name is the dotted script-visible name: "on", "discord.send",
	// "store.get", "log.info". For methods it is the method name ("reply").
	Name  string
	Async bool
	Fn    Fn
}

// Call carries one invocation of a binding.
type Call struct {
	// Ctx is cancelled when the script's generation is retired (reload,
	// unload, shutdown). Async bindings must give up when it is done.
	Ctx    context.Context
	Script *Script
	// This is the receiver of a method call, nil for plain functions.
	This *Object
	Args []any
	// Where returns the script location of the call ("ping.lua:12"). It is
	// lazy because finding it costs a stack walk; engines always set it.
	Where func() string
}

// Env is what an engine provides to bindings for one script. Every method
// is safe to call from any goroutine.
type Env interface {
	// Post schedules cb(args...) on the script's VM goroutine, after the
	// events and callbacks already queued. It returns false if the script
	// has been retired (the call is dropped).
	Post(cb Callback, args ...any) bool
	// Acquire reserves one pending async operation or timer against the
	// script's limit; the returned release must be called exactly once.
	// It fails with an error wrapping ErrLimit when the script is at its cap.
	Acquire() (release func(), err error)
}

// PostTracker may be implemented by an Env. PostTracked is Post with done
// called (on any goroutine) once cb has run, or at once if it is dropped.
// With it, timer.every skips a tick while the previous tick's callback is
// still waiting to run, as browsers do, instead of queueing ticks without
// bound behind a slow script.
type PostTracker interface {
	PostTracked(cb Callback, done func(), args ...any) bool
}

// BotInfo is what scripts see as bot.user and bot.application_id. Both are
// empty until the first READY.
type BotInfo struct {
	User          map[string]any
	ApplicationID string
}

// Host is the platform side a script's bindings talk to. cmd/botrun fills it
// in; tests may fill it with the emulator-backed host or leave parts nil
// (a binding whose part is nil fails with a clear error).
type Host struct {
	Platform     Platform
	Interactions Interactions
	Gateway      Gateway
	// Store opens the persistent store of one script.
	Store func(script string) (Store, error)
	// Bot returns the current bot identity (zero before READY).
	Bot func() BotInfo
	// Now is the clock (time.Now when nil); tests inject one.
	Now func() time.Time
}

// Script is the per-script state shared by all of its bindings: identity,
// settings, the registry of its handlers and commands, its engine Env.
// One Script exists per loaded generation of a script.
type Script struct {
	Name   string         // script name ("ping" for ping.lua or ping/init.lua)
	Path   string         // entry file, relative to the bot directory
	Config map[string]any // [scripts.NAME] from botrun.toml, never nil
	Log    *slog.Logger   // carries the script name
	Host   *Host
	Env    Env
	Reg    *Registry
	// Caps are the limits bindings enforce for this script; zero fields
	// take DefaultCaps.
	Caps Caps

	storeMu sync.Mutex // guards store: async store calls run concurrently
	// store is opened lazily by the store bindings.
	store Store
}
