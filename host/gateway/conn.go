package gateway

import (
	"io"
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

// readMessage reads one WebSocket message of at most max bytes. A larger
// text message is read to its end and dropped (errSkipped) so one oversized
// payload costs neither the connection nor unbounded memory. Binary
// (zlib-stream) frames are returned whole up to max, since the stream
// cannot skip bytes; the inflater bounds them.
//
// The message is read into *scratch, which is kept across calls. A text
// message is then copied into a slice of its own, because the decoded
// frame's data is handed on and must never change, unless transient says
// the host copies what it keeps (Config.TransientData); a binary frame is
// returned in *scratch itself, valid until the next call, since the
// inflater copies it.
func readMessage(ws *websocket.Conn, max int, scratch *[]byte, transient bool) (int, []byte, error) {
	typ, r, err := ws.NextReader()
	if err != nil {
		return typ, nil, err
	}
	buf := (*scratch)[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		// never more than max+1 bytes, as io.LimitReader(r, max+1) would
		end := min(cap(buf), max+1)
		n, err := r.Read(buf[len(buf):end])
		buf = buf[:len(buf)+n]
		if len(buf) > max || err == io.EOF {
			break
		}
		if err != nil {
			*scratch = buf
			return typ, nil, err
		}
	}
	*scratch = buf
	if len(buf) > max {
		if typ == websocket.BinaryMessage {
			return typ, nil, errZlibTooLarge
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return typ, nil, err
		}
		return typ, nil, errSkipped
	}
	if typ == websocket.BinaryMessage || transient {
		return typ, buf, nil
	}
	return typ, append([]byte(nil), buf...), nil
}
