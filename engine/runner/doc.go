// Package runner runs a bot directory: it discovers the scripts in it, loads
// each with the engine of its language, fans platform events out to the
// scripts subscribed to them, and hot-reloads scripts when their files change.
//
// A script is one unit ([engine.Unit]): a top-level *.lua or *.js file, or a
// folder holding init.lua or index.js. Every other file is a module that
// scripts may require. Each unit has at most one live generation at a time;
// a reload builds the next generation beside the live one and swaps it in only
// if it loads cleanly, so a broken save never takes a working bot down.
//
// The runner knows nothing of the platform: events come in through
// [Runner.Dispatch] and the set of subscribed events and declared commands
// goes out through the callbacks in [Config], which cmd/botrun wires to the
// gateway (intents) and the command syncer.
package runner
