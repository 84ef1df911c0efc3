package rest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testToken = "MTIz.secret-token.xyz"

func newServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func newClient(s *httptest.Server, mod func(*Config)) *Client {
	cfg := Config{BaseURL: s.URL + "/api/v10", Token: testToken, RetryBackoff: 10 * time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	return New(cfg)
}

func TestDoSendsAuthUserAgentAndJSON(t *testing.T) {
	var got struct {
		auth, ua, ctype, reason, path, query string
		body                                 map[string]any
	}
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		got.auth, got.ua, got.ctype = r.Header.Get("Authorization"), r.Header.Get("User-Agent"), r.Header.Get("Content-Type")
		got.reason, got.path, got.query = r.Header.Get("X-Audit-Log-Reason"), r.URL.Path, r.URL.RawQuery
		json.NewDecoder(r.Body).Decode(&got.body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"42","content":"hi"}`)
	})
	c := newClient(s, nil)
	raw, err := c.DoWith(context.Background(), "post", "/channels/1/messages?x=1", map[string]any{"content": "hi"},
		WithReason("spam cleanup / ünïcode"), WithQuery(map[string][]string{"y": {"2"}}))
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != `{"id":"42","content":"hi"}` {
		t.Errorf("body = %s", raw)
	}
	if got.auth != "Bot "+testToken {
		t.Errorf("auth = %q", got.auth)
	}
	if !strings.HasPrefix(got.ua, "DiscordBot (https://github.com/botrun/botrun, ") {
		t.Errorf("user agent = %q", got.ua)
	}
	if got.ctype != "application/json" || got.body["content"] != "hi" {
		t.Errorf("content type %q body %v", got.ctype, got.body)
	}
	if got.path != "/api/v10/channels/1/messages" || got.query != "x=1&y=2" {
		t.Errorf("path %q query %q", got.path, got.query)
	}
	if got.reason != "spam%20cleanup%20%2F%20%C3%BC%C3%AF%C3%AFcode" && !strings.Contains(got.reason, "%20") {
		t.Errorf("reason not escaped: %q", got.reason)
	}
}

func TestNoContentAndWithoutAuth(t *testing.T) {
	var auth atomic.Value
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusNoContent)
	})
	c := newClient(s, nil)
	if err := c.InteractionCallback(context.Background(), "1", "tok", map[string]any{"type": 4}); err != nil {
		t.Fatal(err)
	}
	if a := auth.Load().(string); a != "" {
		t.Errorf("interaction callback sent Authorization %q", a)
	}
	raw, err := c.Do(context.Background(), "DELETE", "/channels/1/messages/2", nil)
	if err != nil || raw != nil {
		t.Fatalf("204: raw %q err %v", raw, err)
	}
}

func TestErrorIsTypedAndNeverContainsToken(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		io.WriteString(w, `{"code":50035,"message":"Invalid Form Body","errors":{"content":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH"}]}}}`)
	})
	c := newClient(s, nil)
	_, err := c.Do(context.Background(), "POST", "/channels/1/messages", map[string]any{"content": strings.Repeat("x", 3000)})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %T %v", err, err)
	}
	if e.Status != 400 || e.Code != 50035 || e.Message != "Invalid Form Body" || e.Method != "POST" || e.Path != "/channels/1/messages" {
		t.Errorf("error fields: %+v", e)
	}
	if !strings.Contains(string(e.FieldErrors()), "BASE_TYPE_MAX_LENGTH") {
		t.Errorf("field errors lost: %s", e.FieldErrors())
	}
	if strings.Contains(err.Error(), "secret-token") {
		t.Errorf("token in error: %v", err)
	}
	if want := "POST /channels/1/messages: 400 Invalid Form Body (code 50035)"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

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

func TestUnauthorizedStopsSending(t *testing.T) {
	var n atomic.Int32
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.Header.Get("Authorization") == "" {
			w.WriteHeader(204)
			return
		}
		w.WriteHeader(401)
		io.WriteString(w, `{"code":0,"message":"401: Unauthorized"}`)
	})
	c := newClient(s, nil)
	ctx := context.Background()
	_, err := c.Do(ctx, "GET", "/users/@me", nil)
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("first 401 should be ErrUnauthorized-compatible: %v", err)
	}
	_, err = c.Do(ctx, "GET", "/users/@me", nil)
	if !errors.Is(err, ErrUnauthorized) || n.Load() != 1 {
		t.Fatalf("after 401: err %v, server hits %d", err, n.Load())
	}
	if strings.Contains(err.Error(), "secret-token") {
		t.Error("token leaked")
	}
	// token-less routes still work
	if err := c.InteractionCallback(ctx, "1", "t", map[string]int{"type": 1}); err != nil {
		t.Fatalf("interaction callback after 401: %v", err)
	}
}

func TestServerErrorsRetryOnlyIdempotent(t *testing.T) {
	var n atomic.Int32
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		k := n.Add(1)
		if r.Method == "GET" && k >= 3 {
			io.WriteString(w, `{"ok":1}`)
			return
		}
		w.WriteHeader(502)
	})
	c := newClient(s, nil)
	ctx := context.Background()
	raw, err := c.Do(ctx, "GET", "/channels/1", nil)
	if err != nil || string(raw) != `{"ok":1}` || n.Load() != 3 {
		t.Fatalf("GET retry: raw %s err %v hits %d", raw, err, n.Load())
	}
	n.Store(100)
	_, err = c.Do(ctx, "POST", "/channels/1/messages", map[string]any{})
	var e *Error
	if !errors.As(err, &e) || e.Status != 502 || n.Load() != 101 {
		t.Fatalf("POST must not be retried: err %v hits %d", err, n.Load())
	}
	// bounded: always failing GET gives up after MaxRetries
	n.Store(-1000)
	_, err = c.Do(ctx, "GET", "/channels/2", nil)
	if !errors.As(err, &e) || e.Status != 502 || n.Load() != -1000+4 {
		t.Fatalf("bounded retries: err %v hits %d", err, n.Load()+1000)
	}
}

func TestContextCancellationAndTimeout(t *testing.T) {
	stop := make(chan struct{})
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	})
	defer close(stop)
	c := newClient(s, func(c *Config) { c.MaxRetries = -1 })
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	start := time.Now()
	_, err := c.Do(ctx, "POST", "/channels/1/messages", map[string]any{})
	if !errors.Is(err, context.Canceled) || time.Since(start) > 2*time.Second {
		t.Fatalf("cancel: %v after %v", err, time.Since(start))
	}
	c2 := newClient(s, func(c *Config) { c.Timeout = 80 * time.Millisecond; c.MaxRetries = -1 })
	start = time.Now()
	_, err = c2.Do(context.Background(), "GET", "/channels/1", nil)
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("timeout: %v after %v", err, time.Since(start))
	}
}

func TestMultipartFiles(t *testing.T) {
	type part struct{ name, file, ctype, body string }
	var parts []part
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mr, err := r.MultipartReader()
		if err != nil {
			t.Error(err)
			return
		}
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p)
			parts = append(parts, part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(b)})
		}
		io.WriteString(w, `{}`)
	})
	c := newClient(s, nil)
	_, err := c.CreateMessage(context.Background(), "1", map[string]any{"content": "see file"},
		WithFiles(File{Name: "a.txt", ContentType: "text/plain", Data: []byte("hello")}, File{Name: `we"ird.bin`, Data: []byte{0, 1}}))
	if err != nil {
		t.Fatal(err)
	}
	want := []part{
		{"payload_json", "", "application/json", `{"content":"see file"}`},
		{"files[0]", "a.txt", "text/plain", "hello"},
		{"files[1]", `we"ird.bin`, "application/octet-stream", "\x00\x01"},
	}
	if len(parts) != len(want) {
		t.Fatalf("parts = %+v", parts)
	}
	for i := range want {
		if parts[i] != want[i] {
			t.Errorf("part %d = %+v, want %+v", i, parts[i], want[i])
		}
	}
}

func TestGatewayBot(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v10/gateway/bot" {
			w.WriteHeader(404)
			return
		}
		io.WriteString(w, `{"url":"wss://gw.example","shards":3,"session_start_limit":{"total":1000,"remaining":998,"reset_after":1000,"max_concurrency":2}}`)
	})
	gb, err := newClient(s, nil).GatewayBot(context.Background())
	if err != nil || gb.URL != "wss://gw.example" || gb.Shards != 3 || gb.SessionStartLimit.MaxConcurrency != 2 || gb.SessionStartLimit.Remaining != 998 {
		t.Fatalf("%+v %v", gb, err)
	}
}

func TestWebhookTokenNotInErrors(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(404)
		io.WriteString(w, `{"code":10015,"message":"Unknown Webhook"}`)
	})
	_, err := newClient(s, nil).ExecuteWebhook(context.Background(), "77", "hook-secret", map[string]string{"content": "x"})
	var e *Error
	if !errors.As(err, &e) || e.Code != 10015 {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "hook-secret") || e.Path != "/webhooks/77/{token}" {
		t.Fatalf("webhook token leaked: %v (path %q)", err, e.Path)
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

func TestNetworkErrorHidesTokens(t *testing.T) {
	s := httptest.NewServer(http.NotFoundHandler())
	s.Close() // nothing listens: every request fails to connect
	c := New(Config{BaseURL: s.URL, Token: testToken, MaxRetries: -1})
	_, err := c.ExecuteWebhook(context.Background(), "1", "hook-secret", map[string]string{})
	if err == nil || strings.Contains(err.Error(), "hook-secret") || strings.Contains(err.Error(), "secret-token") {
		t.Fatalf("err = %v", err)
	}
}

func TestMalformedURLErrorHidesTokens(t *testing.T) {
	s := newServer(t, http.NotFoundHandler().ServeHTTP)
	// a control byte makes the URL unparsable; url.Parse's error would
	// quote it whole, webhook token included
	_, err := newClient(s, nil).Do(context.Background(), "POST", "/webhooks/1/hook-secret\x7f", nil)
	if err == nil || strings.Contains(err.Error(), "hook-secret") {
		t.Fatalf("err = %v", err)
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
