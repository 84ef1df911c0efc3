package main

import (
	"context"
	"log/slog"
	"runtime/debug"
	"time"
)

// releaseDelay is how long after the first READY start-up memory is
// released: long enough for the burst of GUILD_CREATE events that follows
// READY on a small bot, short enough to be done before anyone looks.
const releaseDelay = time.Second

// releaseStartupMemory gives back to the system what start-up needed and
// the running bot does not: a garbage collection returns the heap pages
// that loading scripts and parsing the configuration left free, and
// dropProgramPages unmaps the code and tables only start-up ran. It costs
// one collection and, afterwards, a minor page fault for each program page
// the bot touches again.
func releaseStartupMemory(log *slog.Logger) {
	start := time.Now()
	debug.FreeOSMemory()
	dropped, err := dropProgramPages()
	if err != nil {
		log.Debug("releasing start-up memory", "error", err)
	}
	log.Debug("released start-up memory", "program_pages_bytes", dropped, "took", time.Since(start))
}

// releaseAfterReady waits for the first READY, then for delay, and
// releases start-up memory once. It returns when that is done or ctx ends.
func releaseAfterReady(ctx context.Context, ready <-chan struct{}, delay time.Duration, log *slog.Logger) {
	select {
	case <-ready:
	case <-ctx.Done():
		return
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		releaseStartupMemory(log)
	case <-ctx.Done():
	}
}
