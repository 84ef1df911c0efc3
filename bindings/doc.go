// Package bindings is the script API, written once in Go.
//
// Every function a script can call (on, command, discord.*, store.*, log.*,
// timers, bot, config, and the methods of messages and interactions) is a
// [Func] in a table that both engines expose through their own adapters
// (engine/lua, engine/js). A binding never sees a Lua or JS value: arguments
// and results are plain Go values (see [Call]), callbacks are opaque
// [Callback]s, and anything that must run on the script's VM goroutine is
// scheduled through the engine's [Env].
//
// Bindings reach the platform only through the small interfaces in host.go
// ([Platform], [Interactions], [Gateway], [Store]); cmd/botrun satisfies them
// with the real host (Discord, Uncord, the emulator). This package imports
// neither engine nor host.
//
// Entry points for engines: [Globals] (the global functions), [Methods]
// (the methods of [Object] kinds), [KindOf] (which events carry methods)
// and [EventExtras] (computed interaction fields). Bindings validate what
// scripts pass them and enforce the script's [Caps]; misuse is a
// [UsageError] naming the function, platform failures are [APIError]s
// passed through unchanged.
package bindings
