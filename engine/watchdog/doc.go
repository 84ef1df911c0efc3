// Package watchdog is the process-wide heap watchdog. Neither script
// engine can cap the memory of one VM, so botrun watches the heap of the
// whole process instead: a goroutine samples runtime/metrics and, when live
// heap objects pass a threshold, interrupts every script that is running
// script code at that moment and logs which ones they were. By default the
// threshold is 75% of the Go soft memory limit, which the caller sets
// (debug.SetMemoryLimit) so that the garbage collector works harder before
// the threshold is reached.
//
// This is a coarse, last-line defence (see docs/limits.md): a native
// built-in that allocates in one call cannot be stopped mid-call.
package watchdog
