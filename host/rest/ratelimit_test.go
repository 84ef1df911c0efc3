package rest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestBucketRemainingZeroWaitsForReset(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		w.Header().Set("X-RateLimit-Bucket", "abc")
		w.Header().Set("X-RateLimit-Limit", "1")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset-After", "0.25")
		io.WriteString(w, `{}`)
	})
	c := newClient(s, nil)
	ctx := context.Background()
	start := time.Now()
	for range 2 {
		if _, err := c.Do(ctx, "POST", "/channels/1/messages", map[string]any{}); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < 230*time.Millisecond {
		t.Errorf("second request in the same bucket did not wait for the reset: %v", el)
	}
	// A different major parameter is a different bucket: it need not wait
	// (WithoutWait would fail if it had to).
	if _, err := c.DoWith(ctx, "POST", "/channels/2/messages", map[string]any{}, WithoutWait()); err != nil {
		t.Fatalf("other channel: %v", err)
	}
	// WithoutWait returns a RateLimitError naming the bucket.
	_, err := c.DoWith(ctx, "POST", "/channels/1/messages", map[string]any{}, WithoutWait())
	var rle *RateLimitError
	if !errors.As(err, &rle) || rle.Bucket != "abc" || rle.RetryAfter <= 0 {
		t.Fatalf("want RateLimitError for bucket abc, got %v", err)
	}
}

func TestSameBucketRequestsGoOutInOrder(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var order []string
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		var b struct{ N string }
		json.NewDecoder(r.Body).Decode(&b)
		if b.N == "first" {
			<-release
		}
		mu.Lock()
		order = append(order, b.N)
		mu.Unlock()
		io.WriteString(w, `{}`)
	})
	c := newClient(s, nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	send := func(n string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Do(ctx, "POST", "/channels/7/messages", map[string]string{"n": n}); err != nil {
				t.Error(err)
			}
		}()
	}
	waitRefs := func(want int) {
		deadline := time.Now().Add(5 * time.Second)
		for {
			c.lim.mu.Lock()
			q := c.lim.queues[routeOf("POST", "/channels/7/messages").key+"|channels:7"]
			n := 0
			if q != nil {
				n = q.refs
			}
			c.lim.mu.Unlock()
			if n >= want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("queue never reached %d", want)
			}
			time.Sleep(time.Millisecond)
		}
	}
	send("first")
	waitRefs(1)
	want := []string{"first"}
	for i := range 10 {
		n := string(rune('a' + i))
		want = append(want, n)
		send(n)
		waitRefs(i + 2)
	}
	close(release)
	wg.Wait()
	if strings.Join(order, ",") != strings.Join(want, ",") {
		t.Fatalf("order = %v, want %v", order, want)
	}
}

func TestGlobalLimitAndInteractionExemption(t *testing.T) {
	var n atomic.Int32
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(204)
	})
	c := newClient(s, func(c *Config) { c.GlobalLimit = 20 })
	slow := newClient(s, func(c *Config) { c.GlobalLimit = 2 })
	ctx := context.Background()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Do(ctx, "DELETE", "/channels/"+itoa(i)+"/messages/1", nil)
		}()
	}
	wg.Wait()
	if el := time.Since(start); el < 450*time.Millisecond {
		t.Errorf("30 requests at 20/s (burst 20) took only %v", el)
	}
	// Interaction callbacks are exempt: at 2/s, 40 limited requests would
	// take 19 s; exempt ones go out at once.
	start = time.Now()
	for i := range 40 {
		if err := slow.InteractionCallback(ctx, itoa(i), "tok", map[string]int{"type": 1}); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("exempt interaction callbacks were throttled: %v", el)
	}
	if n.Load() != 70 {
		t.Errorf("server saw %d requests", n.Load())
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestRateLimited429BucketRetries(t *testing.T) {
	var n atomic.Int32
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-RateLimit-Scope", "user")
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
			io.WriteString(w, `{"message":"You are being rate limited.","retry_after":0.2,"global":false}`)
			return
		}
		io.WriteString(w, `{"ok":true}`)
	})
	c := newClient(s, nil)
	start := time.Now()
	raw, err := c.Do(context.Background(), "POST", "/channels/1/messages", map[string]any{})
	if err != nil || string(raw) != `{"ok":true}` {
		t.Fatalf("raw %s err %v", raw, err)
	}
	el := time.Since(start)
	if el < 190*time.Millisecond || el > 900*time.Millisecond {
		t.Errorf("retry_after is seconds (0.2 s), body wins over header: waited %v", el)
	}
	if n.Load() != 2 {
		t.Errorf("server saw %d requests", n.Load())
	}
}

func TestGlobal429PausesEveryRoute(t *testing.T) {
	var n atomic.Int32
	var mu sync.Mutex
	var seen []time.Time
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, time.Now())
		mu.Unlock()
		if n.Add(1) == 1 {
			w.Header().Set("X-RateLimit-Global", "true")
			w.Header().Set("X-RateLimit-Scope", "global")
			w.WriteHeader(429)
			io.WriteString(w, `{"message":"global","retry_after":0.3,"global":true}`)
			return
		}
		w.WriteHeader(204)
	})
	c := newClient(s, nil)
	ctx := context.Background()
	start := time.Now()
	if _, err := c.Do(ctx, "GET", "/channels/1", nil); err != nil {
		t.Fatal(err)
	}
	// another route, sent after the global 429 was seen, must wait too
	if _, err := c.Do(ctx, "GET", "/guilds/9/roles", nil); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 290*time.Millisecond {
		t.Errorf("global 429 did not pause: %v", el)
	}
	_, err := c.DoWith(ctx, "GET", "/guilds/9/roles", nil, WithoutWait())
	if err != nil {
		t.Fatalf("after the pause requests flow again: %v", err)
	}
}

func TestInvalidRequestGuard(t *testing.T) {
	var n atomic.Int32
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Path == "/api/v10/shared" {
			w.Header().Set("X-RateLimit-Scope", "shared")
			w.WriteHeader(429)
			io.WriteString(w, `{"retry_after":0.001}`)
			return
		}
		w.WriteHeader(403)
		io.WriteString(w, `{"code":50013,"message":"Missing Permissions"}`)
	})
	c := newClient(s, func(c *Config) { c.InvalidRequestLimit = 3 })
	ctx := context.Background()
	// shared-scope 429s do not count
	if _, err := c.DoWith(ctx, "GET", "/shared", nil, WithoutWait()); err == nil {
		t.Fatal("want rate limit error")
	}
	for i := range 3 {
		_, err := c.Do(ctx, "GET", "/guilds/1/members/"+itoa(i), nil)
		var e *Error
		if !errors.As(err, &e) || e.Status != 403 || e.Code != 50013 {
			t.Fatalf("want 403 error, got %v", err)
		}
	}
	before := n.Load()
	_, err := c.Do(ctx, "GET", "/guilds/1/members/5", nil)
	if !errors.Is(err, ErrInvalidRequestLimit) {
		t.Fatalf("want ErrInvalidRequestLimit, got %v", err)
	}
	if n.Load() != before {
		t.Error("the refused request reached the server")
	}
	if !strings.Contains(err.Error(), "IP ban") {
		t.Errorf("message should say why: %v", err)
	}
}

func TestRoutesSharingABucketShareItsLimit(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Bucket", "shared-hash")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset-After", "0.2")
		w.WriteHeader(204)
	})
	c := newClient(s, nil)
	ctx := context.Background()
	// learn that both routes map to the same bucket
	c.Do(ctx, "PUT", "/channels/1/messages/5/reactions/x/@me", nil)
	c.lim.mu.Lock()
	c.lim.states = map[string]*bucketState{} // forget the reset, keep the route → bucket mapping
	c.lim.mu.Unlock()
	c.Do(ctx, "DELETE", "/channels/1/messages/5/reactions/x/@me", nil)
	start := time.Now()
	c.Do(ctx, "PUT", "/channels/1/messages/6/reactions/y/@me", nil)
	if el := time.Since(start); el < 180*time.Millisecond {
		t.Fatalf("route sharing the bucket did not wait: %v", el)
	}
}

func TestRateLimitHeaderOnlyAndCancelWhileWaiting(t *testing.T) {
	var n atomic.Int32
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			// a Cloudflare-style 429: no JSON body, only Retry-After
			w.Header().Set("Retry-After", "0.15")
			w.WriteHeader(429)
			return
		}
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset-After", "30")
		w.WriteHeader(204)
	})
	c := newClient(s, nil)
	start := time.Now()
	if _, err := c.Do(context.Background(), "DELETE", "/channels/1/messages/1", nil); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 140*time.Millisecond {
		t.Errorf("Retry-After header ignored: %v", el)
	}
	// the bucket is now empty for 30 s: a cancelled caller stops waiting
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err := c.Do(ctx, "DELETE", "/channels/1/messages/2", nil)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
	if n.Load() != 2 {
		t.Errorf("server saw %d requests, want 2", n.Load())
	}
}

func TestRouteBucketMapStaysBounded(t *testing.T) {
	l := newLimiter(time.Now, 0, 0)
	h := RateLimitHeaders{Bucket: "b", Limit: -1, Remaining: -1, ResetAfter: -1, RetryAfter: -1}
	for i := range 3 * maxRouteBuckets {
		l.update(routeOf("GET", "/users/@me/x"+strconv.Itoa(i)), h)
	}
	if n := len(l.routeBucket); n > maxRouteBuckets {
		t.Fatalf("routeBucket holds %d routes, want at most %d", n, maxRouteBuckets)
	}
	r := routeOf("GET", "/users/@me/latest")
	l.update(r, h)
	if l.routeBucket[r.key] != "b" {
		t.Fatalf("the newest route's bucket was not kept")
	}
}
