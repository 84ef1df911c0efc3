// Package pipeline measures botrun's per-event cost in-process: an event's
// data goes through the runner (parse once, fan out) into a Lua or
// JavaScript handler, with the real engines and no network. It complements
// the whole-process figures of bench/cmd/botrun-bench; the measurements are
// its benchmarks (go test -bench . ./bench/pipeline).
package pipeline
