package gateway

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// This file holds a small scripted gateway server on 127.0.0.1 for
// protocol edge cases: each test accepts connections and plays the server
// side step by step.

const testToken = "NzEx.fake-token.for-tests"

const wait = 5 * time.Second // bound on every wait in these tests

type fakeGW struct {
	t     *testing.T
	srv   *httptest.Server
	conns chan *fakeConn
}

type inFrame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
}

type fakeConn struct {
	t      *testing.T
	ws     *websocket.Conn
	path   string
	query  url.Values
	in     chan inFrame // frames from the client, heartbeats excluded
	beats  chan inFrame
	closed chan int // close code the client sent (-1: dropped without one)
	noAck  atomic.Bool

	wmu sync.Mutex // guards writes and the compressor
	zw  *zlib.Writer
	zb  bytes.Buffer
}

func newFakeGW(t *testing.T) *fakeGW {
	g := &fakeGW{t: t, conns: make(chan *fakeConn, 16)}
	up := websocket.Upgrader{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c := &fakeConn{t: t, ws: ws, path: r.URL.Path, query: r.URL.Query(),
			in: make(chan inFrame, 64), beats: make(chan inFrame, 64), closed: make(chan int, 1)}
		if c.query.Get("compress") == "zlib-stream" {
			c.zw = zlib.NewWriter(&c.zb)
		}
		go c.readLoop()
		g.conns <- c
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGW) url() string { return "ws" + strings.TrimPrefix(g.srv.URL, "http") }

func (g *fakeGW) accept() *fakeConn {
	g.t.Helper()
	select {
	case c := <-g.conns:
		g.t.Cleanup(func() { c.ws.Close() })
		return c
	case <-time.After(wait):
		g.t.Fatal("no connection from the client")
		return nil
	}
}

func (c *fakeConn) readLoop() {
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			code := -1
			var ce *websocket.CloseError
			if errors.As(err, &ce) && ce.Code != websocket.CloseAbnormalClosure {
				code = ce.Code
			}
			c.closed <- code
			return
		}
		var f inFrame
		if err := json.Unmarshal(data, &f); err != nil {
			c.t.Errorf("client sent invalid JSON: %s", data)
			continue
		}
		if len(data) > 4096 {
			c.t.Errorf("client sent %d bytes", len(data))
		}
		if f.Op == opHeartbeat {
			c.beats <- f
			if !c.noAck.Load() {
				c.send(map[string]any{"op": opHeartbeatACK})
			}
			continue
		}
		c.in <- f
	}
}

func (c *fakeConn) sendRaw(b []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.zw != nil {
		c.zw.Write(b)
		c.zw.Flush()
		out := append([]byte(nil), c.zb.Bytes()...)
		c.zb.Reset()
		// split into two frames to exercise buffering until 00 00 ff ff
		h := len(out) / 2
		c.ws.WriteMessage(websocket.BinaryMessage, out[:h])
		c.ws.WriteMessage(websocket.BinaryMessage, out[h:])
		return
	}
	c.ws.WriteMessage(websocket.TextMessage, b)
}

func (c *fakeConn) send(v any) {
	b, _ := json.Marshal(v)
	c.sendRaw(b)
}

func (c *fakeConn) hello(ms int) {
	c.send(map[string]any{"op": opHello, "d": map[string]any{"heartbeat_interval": ms}})
}

func (c *fakeConn) dispatch(t string, s int64, d any) {
	c.send(map[string]any{"op": 0, "t": t, "s": s, "d": d})
}

func (c *fakeConn) ready(session string) {
	c.dispatch("READY", 1, map[string]any{"v": 10, "session_id": session,
		"resume_gateway_url": c.baseURL() + "/resume",
		"user":               map[string]any{"id": "1", "username": "bot"}})
}

func (c *fakeConn) baseURL() string { return "ws://" + c.ws.LocalAddr().String() }

// expect returns the next non-heartbeat frame, which must have op.
func (c *fakeConn) expect(op int) inFrame {
	c.t.Helper()
	select {
	case f := <-c.in:
		if f.Op != op {
			c.t.Fatalf("expected op %d from the client, got op %d: %s", op, f.Op, f.D)
		}
		return f
	case code := <-c.closed:
		c.t.Fatalf("expected op %d, client closed with %d", op, code)
	case <-time.After(wait):
		c.t.Fatalf("expected op %d, got nothing", op)
	}
	return inFrame{}
}

func (c *fakeConn) expectBeat() inFrame {
	c.t.Helper()
	select {
	case f := <-c.beats:
		return f
	case <-time.After(wait):
		c.t.Fatal("no heartbeat")
	}
	return inFrame{}
}

// expectClose waits until the client closes and returns its close code.
func (c *fakeConn) expectClose() int {
	c.t.Helper()
	select {
	case code := <-c.closed:
		return code
	case <-time.After(wait):
		c.t.Fatal("client did not close")
	}
	return 0
}

func (c *fakeConn) closeWith(code int, text string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	c.ws.Close()
}

// drop closes TCP without a close frame.
func (c *fakeConn) drop() { c.ws.UnderlyingConn().(*net.TCPConn).Close() }

// identifyAndReady plays Hello → Identify → READY and returns the Identify.
func (c *fakeConn) identifyAndReady(ms int, session string) map[string]any {
	c.t.Helper()
	c.hello(ms)
	f := c.expect(opIdentify)
	var d map[string]any
	json.Unmarshal(f.D, &d)
	c.ready(session)
	return d
}

// harness runs a Manager against a fakeGW and collects dispatches.
type harness struct {
	t      *testing.T
	gw     *fakeGW
	m      *Manager
	events chan Dispatch
	done   chan error
	cancel context.CancelFunc
}

func testConfig(gw *fakeGW) Config {
	return Config{
		Token: testToken, GatewayURL: gw.url(), Intents: IntentGuilds | IntentGuildMessages,
		Rand: func() float64 { return 0.5 }, BackoffMin: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond,
		InvalidSessionWait: [2]time.Duration{20 * time.Millisecond, 30 * time.Millisecond},
		IdentifyInterval:   50 * time.Millisecond, HelloTimeout: 2 * time.Second,
	}
}

func start(t *testing.T, gw *fakeGW, mod func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, gw: gw, events: make(chan Dispatch, 256), done: make(chan error, 1)}
	cfg := testConfig(gw)
	cfg.Dispatch = func(d Dispatch) { h.events <- d }
	if mod != nil {
		mod(&cfg)
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.m = m
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-h.done:
		case <-time.After(wait):
			t.Error("Run did not return after cancel")
		}
	})
	return h
}

// next returns the next dispatch, skipping none.
func (h *harness) next() Dispatch {
	h.t.Helper()
	select {
	case d := <-h.events:
		return d
	case <-time.After(wait):
		h.t.Fatal("no dispatch")
	}
	return Dispatch{}
}

func (h *harness) expectEvent(name string) Dispatch {
	h.t.Helper()
	d := h.next()
	if d.Name != name {
		h.t.Fatalf("expected %s, got %s %s", name, d.Name, d.Data)
	}
	return d
}

func (h *harness) runErr() error {
	h.t.Helper()
	select {
	case err := <-h.done:
		h.done <- err
		return err
	case <-time.After(wait):
		h.t.Fatal("Run did not return")
	}
	return nil
}

// waitGoroutines waits until the goroutine count drops to at most n.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutine leak: %d > %d\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}
