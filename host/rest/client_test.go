package rest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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
