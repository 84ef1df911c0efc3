package gateway

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

func TestSendLimiterKeepsRoomForHeartbeats(t *testing.T) {
	l := newSendLimiter(10, 2, 300*time.Millisecond, time.Now)
	ctx := context.Background()
	start := time.Now()
	for range 8 {
		if err := l.wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el > 100*time.Millisecond {
		t.Fatalf("first 8 sends waited %v", el)
	}
	// heartbeats never wait, even with the ordinary budget spent
	l.heartbeat()
	l.heartbeat()
	// the 9th ordinary send waits until the oldest leaves the window
	if err := l.wait(ctx); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 290*time.Millisecond {
		t.Fatalf("9th send after %v, want ≥ 300 ms", el)
	}
	// a cancelled context stops the wait
	for range 7 {
		l.wait(ctx)
	}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := l.wait(cctx); err == nil {
		t.Fatal("wait ignored its context")
	}
}

func TestIdentifyLimiterBuckets(t *testing.T) {
	l := newIdentifyLimiter(2, 100*time.Millisecond, -1, 0, time.Now, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	start := time.Now()
	// shards 0 and 1 are in different buckets: both go at once
	for _, id := range []int{0, 1} {
		if err := l.acquire(ctx, id); err != nil {
			t.Fatal(err)
		}
		l.release(id, true)
	}
	if el := time.Since(start); el > 50*time.Millisecond {
		t.Fatalf("different buckets waited %v", el)
	}
	// shard 2 shares bucket 0 with shard 0
	if err := l.acquire(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 95*time.Millisecond {
		t.Fatalf("same bucket after %v, want ≥ 100 ms", el)
	}
	// while shard 2 holds bucket 0, shard 4 waits for the release
	got := make(chan time.Time, 1)
	go func() { l.acquire(ctx, 4); got <- time.Now(); l.release(4, false) }()
	released := time.Now()
	l.release(2, true)
	at := <-got
	if at.Before(released.Add(95 * time.Millisecond)) {
		t.Fatalf("bucket reused %v after the Identify, want ≥ 100 ms", at.Sub(released))
	}
}
