package gateway

import (
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// conn is one WebSocket connection.
type conn struct {
	ws      *websocket.Conn
	lim     *sendLimiter
	writeMu sync.Mutex // gorilla/websocket allows one concurrent writer
}

func (c *conn) write(b []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// close sends a close frame with code and drops the connection. 1000 and
// 1001 end the session at Discord; any other code keeps it resumable.
func (c *conn) close(code int, reason string) {
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.ws.Close()
}

type readResult struct {
	f   frame
	err error
}

// read pumps frames (inflating zlib-stream, skipping malformed ones) from the socket until it fails or done closes.
func (s *shard) read(ws *websocket.Conn, out chan<- readResult, done <-chan struct{}) {
	var z *zlibStream
	if !s.m.cfg.DisableCompression {
		z = newZlibStream(s.m.cfg.MaxMessageSize)
	}
	for {
		typ, data, err := ws.ReadMessage()
		if err == nil && typ == websocket.BinaryMessage {
			if z == nil {
				s.m.log.Warn("gateway: unexpected binary frame without compression; ignored", "shard", s.id, "bytes", len(data))
				continue
			}
			data, err = z.feed(data)
			if err == nil && data == nil {
				continue
			}
		}
		if err != nil {
			select {
			case out <- readResult{err: err}:
			case <-done:
			}
			return
		}
		f, err := decodeFrame(data)
		if err != nil {
			s.m.log.Warn("gateway: malformed frame ignored", "shard", s.id, "err", err, "bytes", len(data))
			continue
		}
		select {
		case out <- readResult{f: f}:
		case <-done:
			return
		}
	}
}
