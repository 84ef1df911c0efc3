package rest

import (
	"context"
	"sync"
	"time"
)

// maxRouteBuckets bounds how many route → bucket mappings a limiter keeps.
const maxRouteBuckets = 4096

// limiter holds every piece of rate-limit state of one Client.
type limiter struct {
	now         func() time.Time
	globalRate  float64 // requests per second
	invalidCap  int     // refuse to send once this many invalid responses are in the window
	invalidSpan time.Duration

	mu           sync.Mutex              // guards every field below
	queues       map[string]*queue       // route key + major → FIFO of requests
	routeBucket  map[string]string       // route key → X-RateLimit-Bucket learned from responses
	states       map[string]*bucketState // bucket (or route key) + major → remaining/reset
	globalUntil  time.Time               // a global 429 pauses everything until then
	tokens       float64                 // global token bucket
	tokensAt     time.Time
	invalid      []time.Time // times of counted 401/403/429 responses, oldest first
	unauthorized bool        // a 401 was seen: the token is bad
}

type bucketState struct {
	remaining int // -1 unknown
	resetAt   time.Time
}

// queue serialises the requests of one route and major parameter. A
// buffered channel of one is used as the lock because goroutines blocked
// sending on a channel are released in arrival order, which a sync.Mutex
// does not promise.
type queue struct {
	slot chan struct{}
	refs int // holders plus waiters; the queue is dropped at zero (guarded by limiter.mu)
}

func newLimiter(now func() time.Time, globalPerSec, invalidCap int) *limiter {
	return &limiter{
		now:         now,
		globalRate:  float64(globalPerSec),
		invalidCap:  invalidCap,
		invalidSpan: 10 * time.Minute,
		queues:      map[string]*queue{},
		routeBucket: map[string]string{},
		states:      map[string]*bucketState{},
		tokens:      float64(globalPerSec),
	}
}

// enter waits for the request's turn in its route queue. The returned
// func leaves the queue.
func (l *limiter) enter(ctx context.Context, r route) (func(), error) {
	k := r.key + "|" + r.major
	l.mu.Lock()
	q := l.queues[k]
	if q == nil {
		q = &queue{slot: make(chan struct{}, 1)}
		l.queues[k] = q
	}
	q.refs++
	l.mu.Unlock()
	leave := func() {
		l.mu.Lock()
		q.refs--
		if q.refs == 0 {
			delete(l.queues, k)
		}
		l.mu.Unlock()
	}
	select {
	case q.slot <- struct{}{}:
		return func() { <-q.slot; leave() }, nil
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}
}

func (l *limiter) stateKey(r route) string {
	if b, ok := l.routeBucket[r.key]; ok {
		return b + "|" + r.major
	}
	return r.key + "|" + r.major
}

// wait blocks until the bucket and the global limit allow one request and
// takes it. With noWait it returns a *RateLimitError instead of waiting
// for a bucket reset or a global pause.
func (l *limiter) wait(ctx context.Context, r route, noWait bool, method, path string) error {
	for {
		l.mu.Lock()
		now := l.now()
		var d time.Duration
		var rle *RateLimitError
		sk := l.stateKey(r)
		st := l.states[sk]
		switch {
		case now.Before(l.globalUntil):
			d = l.globalUntil.Sub(now)
			rle = &RateLimitError{Method: method, Path: path, Global: true, RetryAfter: d}
		case st != nil && st.remaining == 0 && now.Before(st.resetAt):
			d = st.resetAt.Sub(now)
			rle = &RateLimitError{Method: method, Path: path, Bucket: l.routeBucket[r.key], RetryAfter: d}
			if rle.Bucket == "" {
				rle.Bucket = r.key
			}
		case !r.exempt && l.globalRate > 0:
			l.refill(now)
			if l.tokens < 1 {
				d = time.Duration((1 - l.tokens) / l.globalRate * float64(time.Second))
				if d < time.Millisecond {
					d = time.Millisecond
				}
			}
		}
		if d == 0 {
			if !r.exempt && l.globalRate > 0 {
				l.tokens--
			}
			if st != nil && st.remaining > 0 {
				st.remaining--
			}
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		if noWait && rle != nil {
			return rle
		}
		if err := sleepCtx(ctx, d); err != nil {
			return err
		}
	}
}

func (l *limiter) refill(now time.Time) {
	if l.tokensAt.IsZero() {
		l.tokensAt = now
	}
	if el := now.Sub(l.tokensAt); el > 0 {
		l.tokens += el.Seconds() * l.globalRate
		if l.tokens > l.globalRate {
			l.tokens = l.globalRate
		}
		l.tokensAt = now
	}
}

// update records what a response said about its bucket.
func (l *limiter) update(r route, h RateLimitHeaders) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if h.Bucket != "" {
		if _, known := l.routeBucket[r.key]; !known && len(l.routeBucket) >= maxRouteBuckets {
			// Route keys come from the paths scripts request, so their
			// number has no natural bound. Forgetting the mapping only
			// makes each route learn its bucket again.
			clear(l.routeBucket)
		}
		l.routeBucket[r.key] = h.Bucket
	}
	sk := l.stateKey(r)
	st := l.states[sk]
	if st == nil {
		if h.Remaining < 0 && h.ResetAfter < 0 {
			return
		}
		st = &bucketState{remaining: -1}
		l.states[sk] = st
	}
	if h.Remaining >= 0 {
		st.remaining = h.Remaining
	}
	if h.ResetAfter >= 0 {
		st.resetAt = now.Add(h.ResetAfter)
	}
	l.gc(now)
}

// gc drops bucket states whose reset passed long ago, so a bot touching
// many channels does not grow the map forever.
func (l *limiter) gc(now time.Time) {
	if len(l.states) < 1024 {
		return
	}
	for k, st := range l.states {
		if now.Sub(st.resetAt) > time.Minute {
			delete(l.states, k)
		}
	}
}

// limited records a 429: a global one pauses every request, any other
// empties the request's bucket until retry.
func (l *limiter) limited(r route, global bool, retry time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if global {
		if t := now.Add(retry); t.After(l.globalUntil) {
			l.globalUntil = t
		}
		return
	}
	sk := l.stateKey(r)
	st := l.states[sk]
	if st == nil {
		st = &bucketState{}
		l.states[sk] = st
	}
	st.remaining = 0
	st.resetAt = now.Add(retry)
}

// countInvalid records a 401, 403 or 429 (not of scope shared).
func (l *limiter) countInvalid(unauthorized bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.invalid = append(l.invalid, l.now())
	if unauthorized {
		l.unauthorized = true
	}
}

// admit refuses a request outright when the token is known bad or the
// invalid-request window is close to Discord's ban threshold.
func (l *limiter) admit(auth bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if auth && l.unauthorized {
		return ErrUnauthorized
	}
	cut := l.now().Add(-l.invalidSpan)
	i := 0
	for i < len(l.invalid) && !l.invalid[i].After(cut) {
		i++
	}
	if i > 0 {
		l.invalid = append(l.invalid[:0], l.invalid[i:]...)
	}
	if l.invalidCap > 0 && len(l.invalid) >= l.invalidCap {
		return ErrInvalidRequestLimit
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
