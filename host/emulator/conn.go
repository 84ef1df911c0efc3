package emulator

import (
	"bytes"
	"compress/zlib"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// outFrame is one thing the writer goroutine does: send a payload, send a
// close frame and hang up, hang up without a close frame, or stand aside
// while a prepared burst is written (burst.go).
type outFrame struct {
	data   []byte
	close  bool
	code   int
	reason string
	drop   bool
	burst  *burstHold
}

// conn is one gateway WebSocket. Its reader runs in the HTTP handler
// goroutine; its writer is the only goroutine writing data frames.
type conn struct {
	s        *Server
	ws       *websocket.Conn
	compress bool

	// Server.mu guards sess and shard.
	sess  *session
	shard int // -1 until identified or resumed

	mu    sync.Mutex // guards queue and dead
	queue []outFrame
	dead  bool
	wake  chan struct{}
	done  chan struct{} // closed when the writer returns
	// readDone is closed when the reader has finished with the socket.
	readDone chan struct{}
	quit     chan struct{} // closed by closeNow
	quitOnce sync.Once

	// serverClose is the close code the server sent, 0 if none; Server.mu
	// guards it.
	serverClose int

	// Owned by the reader goroutine.
	sends    []time.Time
	deadline time.Duration

	// wmu serialises writes to the socket: the writer goroutine's frames,
	// the control frames the reader answers (pong, close echo) and a
	// burst's raw writes, so no two ever interleave inside a frame.
	wmu sync.Mutex

	// The zlib-stream context, one per connection (nil zw without
	// compression). Owned by the writer goroutine, which lends it to a
	// burst while it is parked on that burst (burstHold.parked/done).
	zbuf bytes.Buffer
	zw   *zlib.Writer
}

func newConn(s *Server, ws *websocket.Conn, compress bool) *conn {
	c := &conn{s: s, ws: ws, compress: compress, shard: -1, wake: make(chan struct{}, 1), done: make(chan struct{}), readDone: make(chan struct{}), quit: make(chan struct{})}
	if compress {
		c.zw = zlib.NewWriter(&c.zbuf)
	}
	// gorilla answers pings and close frames from the reading goroutine;
	// wrapping its default handlers in wmu keeps those writes whole.
	ping, closed := ws.PingHandler(), ws.CloseHandler()
	ws.SetPingHandler(func(data string) error {
		c.wmu.Lock()
		defer c.wmu.Unlock()
		return ping(data)
	})
	ws.SetCloseHandler(func(code int, text string) error {
		c.wmu.Lock()
		defer c.wmu.Unlock()
		return closed(code, text)
	})
	return c
}

func (c *conn) enqueue(f outFrame) {
	c.mu.Lock()
	if c.dead {
		c.mu.Unlock()
		return
	}
	c.queue = append(c.queue, f)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// closeNow hangs up at once, without a close frame.
func (c *conn) closeNow() {
	c.mu.Lock()
	c.dead = true
	c.mu.Unlock()
	c.quitOnce.Do(func() { close(c.quit) })
	_ = c.ws.NetConn().Close()
}

// writeLoop sends queued frames in order until a close, a drop, an error
// or server shutdown.
func (c *conn) writeLoop() {
	defer close(c.done)
	defer c.closeNow()
	for {
		select {
		case <-c.wake:
		case <-c.quit:
			return
		case <-c.s.ctx.Done():
			return
		}
		c.mu.Lock()
		q := c.queue
		c.queue = nil
		c.mu.Unlock()
		for _, f := range q {
			deadline := time.Now().Add(5 * time.Second)
			switch {
			case f.drop:
				return
			case f.burst != nil:
				if !c.standAside(f.burst) {
					return
				}
				continue
			case f.close:
				c.wmu.Lock()
				_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(f.code, f.reason), deadline)
				c.wmu.Unlock()
				// Half-close and let the client read the close frame and
				// answer before hanging up: closing with its reply unread
				// would reset the connection and could lose the frame.
				if tc, ok := c.ws.NetConn().(*net.TCPConn); ok {
					_ = tc.CloseWrite()
				}
				select {
				case <-c.readDone:
				case <-time.After(time.Second):
				case <-c.s.ctx.Done():
				}
				return
			}
			c.wmu.Lock()
			_ = c.ws.SetWriteDeadline(deadline)
			var err error
			if c.zw != nil {
				// WriteMessage has written (or copied) the bytes when it
				// returns, so zbuf can be reused without a copy per event.
				err = c.ws.WriteMessage(websocket.BinaryMessage, c.deflate(f.data))
			} else {
				err = c.ws.WriteMessage(websocket.TextMessage, f.data)
			}
			c.wmu.Unlock()
			if err != nil {
				return
			}
		}
	}
}

// deflate compresses one message with the connection's zlib context; it
// ends with a sync flush (00 00 ff ff), as zlib-stream requires. The
// result is valid until the next call. Only the context's current owner
// (the writer goroutine, or a burst it stands aside for) calls it.
func (c *conn) deflate(msg []byte) []byte {
	c.zbuf.Reset()
	_, _ = c.zw.Write(msg)
	_ = c.zw.Flush()
	return c.zbuf.Bytes()
}

// standAside parks the writer on a burst: it lends the zlib context to the
// burst's builder and sends nothing until the burst is written or given
// up. It reports whether the connection lives on.
func (c *conn) standAside(h *burstHold) bool {
	close(h.parked)
	select {
	case <-h.done:
		return !h.hangUp
	case <-c.quit:
	case <-c.s.ctx.Done():
	}
	return false
}
