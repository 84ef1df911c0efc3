// Package lua runs Lua scripts on gopher-lua: one LState per script, owned
// by the goroutine of the script's [loop.Loop].
//
// What it owns: the sandbox (which libraries a script gets), require()
// confined to the bot directory and the embedded stdlib, the adapter that
// exposes the bindings table to Lua (async bindings yield the calling
// coroutine and resume it when the result is posted back), yield-safe
// pcall/xpcall/coroutine.resume, lazy read-only views of event data, value
// conversion at the binding boundary, CPU budgets per handler and the
// translation of Lua errors into *engine.ScriptError.
//
// Every handler runs in a coroutine of its own. A binding marked Async
// yields a private marker value; pcall, xpcall and coroutine.resume are
// implemented on coroutines in the prelude so that the marker travels out
// through them to the engine, which resumes the handler with the result.
package lua
