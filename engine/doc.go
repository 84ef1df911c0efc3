// Package engine defines what a script runtime is to the rest of botrun:
// an [Engine] per language (engine/lua, engine/js) that turns a script
// [Unit] into a running [Script] — one VM owned by one goroutine with an
// ordered event queue — under host-enforced [Limits].
//
// The runner (engine/runner) discovers scripts in a bot directory, loads
// them, fans events out to them and hot-reloads them. engine never imports
// host: events arrive as bindings.Event and leave as binding calls.
package engine
