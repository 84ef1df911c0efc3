package gateway

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// sendLimiter is the per-connection outbound limit: a sliding-window log
// of at most limit sends per window. Ordinary sends may use limit-reserve
// slots; heartbeats always go out (they are still recorded), so a burst of
// presence updates can never starve them into a zombie disconnect.
type sendLimiter struct {
	limit, reserve int
	window         time.Duration
	now            func() time.Time

	mu   sync.Mutex  // guards sent
	sent []time.Time // times of sends within the window, oldest first
}

func newSendLimiter(limit, reserve int, window time.Duration, now func() time.Time) *sendLimiter {
	return &sendLimiter{limit: limit, reserve: reserve, window: window, now: now}
}

func (l *sendLimiter) prune(now time.Time) {
	cut := now.Add(-l.window)
	i := 0
	for i < len(l.sent) && !l.sent[i].After(cut) {
		i++
	}
	l.sent = append(l.sent[:0], l.sent[i:]...)
}

// heartbeat records a heartbeat; it never waits.
func (l *sendLimiter) heartbeat() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.prune(now)
	l.sent = append(l.sent, now)
}

// wait takes one ordinary slot, waiting until one is free.
func (l *sendLimiter) wait(ctx context.Context) error {
	for {
		l.mu.Lock()
		now := l.now()
		l.prune(now)
		if len(l.sent) < l.limit-l.reserve {
			l.sent = append(l.sent, now)
			l.mu.Unlock()
			return nil
		}
		// the slot frees when the oldest send that keeps us at the cap leaves the window
		idx := len(l.sent) - (l.limit - l.reserve)
		d := l.sent[idx].Add(l.window).Sub(now) + time.Millisecond
		l.mu.Unlock()
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// identifyLimiter throttles Identify across all shards of a Manager: one per
// interval per bucket shard_id % max_concurrency, and no more than the
// session_start_limit allows.
type identifyLimiter struct {
	concurrency int
	interval    time.Duration
	now         func() time.Time
	log         *slog.Logger

	mu        sync.Mutex // guards the fields below
	next      map[int]time.Time
	held      map[int]bool
	free      chan struct{} // closed and replaced whenever a bucket is released
	remaining int           // -1 unknown
	resetAt   time.Time
}

func newIdentifyLimiter(concurrency int, interval time.Duration, remaining int, resetAfter time.Duration, now func() time.Time, log *slog.Logger) *identifyLimiter {
	if concurrency < 1 {
		concurrency = 1
	}
	l := &identifyLimiter{concurrency: concurrency, interval: interval, now: now, log: log,
		next: map[int]time.Time{}, held: map[int]bool{}, free: make(chan struct{}), remaining: remaining}
	if remaining >= 0 {
		l.resetAt = now().Add(resetAfter)
	}
	return l
}

// acquire waits for the shard's identify slot. release must follow with
// whether the Identify was actually sent.
func (l *identifyLimiter) acquire(ctx context.Context, shard int) error {
	b := shard % l.concurrency
	logged := false
	for {
		l.mu.Lock()
		now := l.now()
		if l.remaining == 0 && !now.Before(l.resetAt) {
			// the daily window has passed; allow again until told otherwise
			l.remaining = -1
		}
		var d time.Duration
		free := l.free
		switch {
		case l.held[b]:
			d = -1 // wait for a release
		case l.remaining == 0:
			d = l.resetAt.Sub(now)
			if !logged {
				l.log.Warn("gateway: session start limit reached; waiting for it to reset before identifying",
					"shard", shard, "wait", d.Round(time.Second))
				logged = true
			}
		case now.Before(l.next[b]):
			d = l.next[b].Sub(now)
		default:
			l.held[b] = true
			if l.remaining > 0 {
				l.remaining--
			}
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		if d < 0 {
			select {
			case <-free:
			case <-ctx.Done():
				return ctx.Err()
			}
			continue
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

func (l *identifyLimiter) release(shard int, sent bool) {
	b := shard % l.concurrency
	l.mu.Lock()
	defer l.mu.Unlock()
	l.held[b] = false
	if sent {
		l.next[b] = l.now().Add(l.interval)
	} else if l.remaining >= 0 {
		l.remaining++
	}
	close(l.free)
	l.free = make(chan struct{})
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
