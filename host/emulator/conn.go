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
// close frame and hang up, or hang up without a close frame.
type outFrame struct {
	data   []byte
	close  bool
	code   int
	reason string
	drop   bool
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
}

func newConn(s *Server, ws *websocket.Conn, compress bool) *conn {
	return &conn{s: s, ws: ws, compress: compress, shard: -1, wake: make(chan struct{}, 1), done: make(chan struct{}), readDone: make(chan struct{}), quit: make(chan struct{})}
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
	var zbuf bytes.Buffer
	var zw *zlib.Writer
	if c.compress {
		zw = zlib.NewWriter(&zbuf)
	}
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
			case f.close:
				_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(f.code, f.reason), deadline)
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
			_ = c.ws.SetWriteDeadline(deadline)
			var err error
			if zw != nil {
				// One zlib context per connection; each message ends with
				// a sync flush (00 00 ff ff), as zlib-stream requires.
				zbuf.Reset()
				_, _ = zw.Write(f.data)
				_ = zw.Flush()
				// WriteMessage has written (or copied) the bytes when it
				// returns, so zbuf can be reused without a copy per event.
				err = c.ws.WriteMessage(websocket.BinaryMessage, zbuf.Bytes())
			} else {
				err = c.ws.WriteMessage(websocket.TextMessage, f.data)
			}
			if err != nil {
				return
			}
		}
	}
}
