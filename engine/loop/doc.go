// Package loop is the per-script event loop shared by the Lua and JS
// engines: one goroutine owns a script's VM and runs jobs one at a time.
//
// Two kinds of work reach it. Events are submitted by the runner without
// blocking into a bounded FIFO queue (a ring buffer the loop goroutine
// takes from in batches, one lock for many events, and which wakes that
// goroutine only when it is parked); when it is full the caller gets a
// [QueueFullError], which matches engine.ErrQueueFull and can wait for
// room, so that the runner holds its event source back instead of losing
// events. Results of async operations and timer
// fires are posted back; they are not bounded by the queue but by the
// script's pending-operations cap, which [Loop.Acquire] enforces before the
// operation starts.
//
// The package also provides [Budget], the per-handler CPU budget that counts
// only time spent running script code: an engine starts it when it enters
// the VM and stops it when the VM yields to wait for I/O, so a handler's
// budget is consumed across all of its resumptions.
package loop
