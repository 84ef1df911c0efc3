package main

import (
	"context"
	"log/slog"
	"runtime/debug"
	"time"
)

// releaseDelay is how long after the first READY start-up memory is
// released: long enough for the burst of GUILD_CREATE events that follows
// READY on a small bot, short enough to be done before the bot is busy.
const releaseDelay = time.Second

// releaseStartupMemory gives back to the system the heap that start-up
// left free. Loading scripts (parsing, compiling) and parsing the
// configuration and READY leave garbage that the next collection frees,
// but Go returns free heap pages to the system only gradually, a few per
// cycle; one forced collection that returns them all at once costs a few
// milliseconds, once.
func releaseStartupMemory(log *slog.Logger) {
	start := time.Now()
	debug.FreeOSMemory()
	log.Debug("released start-up memory", "took", time.Since(start))
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
