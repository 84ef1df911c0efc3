// Package pipeline measures botrun's per-event cost in-process: an event's
// data goes through the runner (copied once, fanned out) into a Lua or
// JavaScript handler, which parses it on first read, with the real engines
// and no network. It complements the whole-process figures of
// bench/cmd/botrun-bench; the measurements are its benchmarks
// (go test -bench . ./bench/pipeline).
package pipeline
