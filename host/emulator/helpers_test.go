package emulator

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

const waitTimeout = 5 * time.Second

// start runs a server for one test and checks, at cleanup, that Close
// leaves no goroutines behind.
func start(t *testing.T, opts Options) *Server {
	t.Helper()
	before := runtime.NumGoroutine()
	if opts.HeartbeatInterval == 0 {
		opts.HeartbeatInterval = 100 * time.Millisecond
		opts.HeartbeatTimeout = 5 * time.Second // tests that heartbeat set their own
	}
	s := New(opts)
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		http.DefaultClient.CloseIdleConnections()
		waitGoroutines(t, before)
	})
	return s
}

// waitGoroutines waits until the goroutine count is back to n.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("goroutine leak: %d > %d\n%s", runtime.NumGoroutine(), n, buf)
		}
		runtime.Gosched()
		time.Sleep(5 * time.Millisecond) // polling a condition with a deadline
	}
}

// frame is a decoded gateway payload.
type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s"`
	T  string          `json:"t"`
}

// client is a minimal raw gateway client.
type client struct {
	t   *testing.T
	ws  *websocket.Conn
	dec *json.Decoder // zlib-stream only
	// frames counts compressed frames; badSuffix those not ending in
	// 00 00 ff ff or not binary.
	frames, badSuffix int
}

func dial(t *testing.T, url string) *client {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	c := &client{t: t, ws: ws}
	t.Cleanup(func() { _ = ws.Close() })
	if strings.Contains(url, "compress=zlib-stream") {
		zr, err := zlib.NewReader(&frameReader{c: c})
		if err != nil {
			t.Fatalf("zlib header: %v", err)
		}
		c.dec = json.NewDecoder(zr)
	}
	return c
}

// frameReader feeds binary WebSocket frames to one persistent inflater.
type frameReader struct {
	c   *client
	buf bytes.Buffer
}

func (r *frameReader) Read(p []byte) (int, error) {
	for r.buf.Len() == 0 {
		typ, data, err := r.c.ws.ReadMessage()
		if err != nil {
			return 0, err
		}
		r.c.frames++
		if typ != websocket.BinaryMessage || !bytes.HasSuffix(data, []byte{0, 0, 0xff, 0xff}) {
			r.c.badSuffix++
		}
		r.buf.Write(data)
	}
	return r.buf.Read(p)
}

func (c *client) send(v any) {
	c.t.Helper()
	b, ok := v.([]byte)
	if !ok {
		b, _ = json.Marshal(v)
	}
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// read returns the next frame, or the error that ended the connection.
func (c *client) read() (frame, error) {
	_ = c.ws.SetReadDeadline(time.Now().Add(waitTimeout))
	var f frame
	if c.dec != nil {
		err := c.dec.Decode(&f)
		return f, err
	}
	_, data, err := c.ws.ReadMessage()
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(data, &f); err != nil {
		c.t.Fatalf("server sent bad JSON %q: %v", data, err)
	}
	return f, nil
}

func (c *client) next() frame {
	c.t.Helper()
	f, err := c.read()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return f
}

// nextDispatch skips heartbeat ACKs and returns the next dispatch.
func (c *client) nextDispatch() frame {
	c.t.Helper()
	for {
		f := c.next()
		if f.Op == opHeartbeatACK {
			continue
		}
		if f.Op != opDispatch {
			c.t.Fatalf("want a dispatch, got op %d %s", f.Op, f.D)
		}
		return f
	}
}

func (c *client) expectDispatch(name string) frame {
	c.t.Helper()
	f := c.nextDispatch()
	if f.T != name {
		c.t.Fatalf("want %s, got %s %s", name, f.T, f.D)
	}
	return f
}

func (c *client) expectOp(op int) frame {
	c.t.Helper()
	for {
		f := c.next()
		if f.Op == opHeartbeatACK && op != opHeartbeatACK {
			continue
		}
		if f.Op != op {
			c.t.Fatalf("want op %d, got op %d %s %s", op, f.Op, f.T, f.D)
		}
		return f
	}
}

// expectClose reads until the server closes and checks the close code.
func (c *client) expectClose(code int) {
	c.t.Helper()
	for {
		_, err := c.read()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			c.t.Fatalf("want close %d, got %v", code, err)
		}
		if ce.Code != code {
			c.t.Fatalf("want close %d, got %d %q", code, ce.Code, ce.Text)
		}
		return
	}
}

func (c *client) hello() int64 {
	c.t.Helper()
	f := c.expectOp(opHello)
	var d struct {
		Interval int64 `json:"heartbeat_interval"`
	}
	_ = json.Unmarshal(f.D, &d)
	return d.Interval
}

type ready struct {
	SessionID string  `json:"session_id"`
	ResumeURL string  `json:"resume_gateway_url"`
	User      User    `json:"user"`
	Shard     [2]int  `json:"shard"`
	Guilds    []Guild `json:"guilds"`
	App       struct {
		ID string `json:"id"`
	} `json:"application"`
	V int `json:"v"`
}

const allIntents = 1<<17 - 1

func identifyPayload(token string, intents uint64, shard []int) map[string]any {
	d := map[string]any{"token": token, "intents": intents, "properties": map[string]any{"os": "linux", "browser": "test", "device": "test"}}
	if shard != nil {
		d["shard"] = shard
	}
	return map[string]any{"op": 2, "d": d}
}

// connect dials, reads Hello, identifies and returns READY.
func connect(t *testing.T, s *Server, intents uint64, shard []int) (*client, ready, frame) {
	t.Helper()
	c := dial(t, s.GatewayURL()+"/?v=10&encoding=json")
	c.hello()
	c.send(identifyPayload(s.Token(), intents, shard))
	f := c.expectDispatch("READY")
	var r ready
	if err := json.Unmarshal(f.D, &r); err != nil {
		t.Fatal(err)
	}
	return c, r, f
}

// api calls the REST API with the bot token; body may be nil.
func api(t *testing.T, s *Server, method, path string, body any) (*http.Response, []byte) {
	t.Helper()
	return apiAuth(t, s, method, path, body, "Bot "+s.Token())
}

func apiAuth(t *testing.T, s *Server, method, path string, body any, auth string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, ok := body.([]byte)
		if !ok {
			b, _ = json.Marshal(body)
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// discordError is Discord's error body.
type discordError struct {
	Message    string          `json:"message"`
	Code       int             `json:"code"`
	Errors     json.RawMessage `json:"errors"`
	RetryAfter float64         `json:"retry_after"`
	Global     bool            `json:"global"`
}

func decodeErr(t *testing.T, b []byte) discordError {
	t.Helper()
	var e discordError
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", b, err)
	}
	return e
}

func wantStatus(t *testing.T, resp *http.Response, body []byte, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, body)
	}
}

// nextOutput waits for the next output of the given kind.
func nextOutput(t *testing.T, out <-chan Output, kind OutputKind) Output {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	for {
		select {
		case o, ok := <-out:
			if !ok {
				t.Fatalf("output channel closed waiting for %s", kind)
			}
			if o.Kind == kind {
				return o
			}
		case <-timer.C:
			t.Fatalf("no %s output within %v", kind, waitTimeout)
		}
	}
}

func unmarshal[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// waitFor polls cond until it holds or the wait times out.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond) // polling a condition with a deadline
	}
}

// fakeClock is an injectable clock for interaction deadlines.
type fakeClock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// sessionConnected reports whether any session is connected.
func connectedSessions(s *Server) int {
	n := 0
	for _, si := range s.Sessions() {
		if si.Connected {
			n++
		}
	}
	return n
}

// ctxTimeout is a context that ends with the test or after waitTimeout.
func ctxTimeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}
