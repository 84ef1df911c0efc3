package emulator

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// A Burst is a run of MESSAGE_CREATE dispatches to one gateway session,
// built and encoded for its connection before any of it is sent: payload
// JSON with its sequence number, the connection's transport compression
// (zlib-stream continues the connection's one deflate context) and the
// WebSocket framing. Sending it is then a few large writes, so the
// emulator can load a client at hundreds of thousands of events a second
// without being the bottleneck. Load generators (the peer benchmark) use
// it; InjectMessage is the way to send single messages.
//
// From the session's point of view the events are dispatched when the
// burst is prepared: sequence numbers continue from there, the resume
// buffer holds the last of them (up to its usual 2,000), and events
// dispatched later, replies to the bot's own REST calls included, get
// later sequence numbers and are sent after the burst. While the burst is
// prepared and written, the connection's other frames, heartbeat ACKs
// included, wait behind it; heartbeats are still read and keep the
// connection alive. A connection lost during the burst can resume like
// any other: from a sequence number within the last 2,000 events the
// rest is replayed, from further back the resume is refused (op 9), as
// Discord does after a long outage. The messages are not kept in the
// channel's history, which would grow by the whole burst.
type Burst struct {
	c    *conn
	hold *burstHold
	// The wire bytes live in an unlinked file in /dev/shm when there is
	// one, so Send hands pages to the kernel (sendfile) instead of
	// copying them into the socket: on a virtual machine that copy was
	// two thirds of the sending cost. Elsewhere they are chunks in memory.
	file   *os.File
	chunks [][]byte // in memory: the wire bytes, whole frames per chunk
	bounds []int    // in the file: the lengths of its runs of whole frames
	size   int
	n      int
	first  int64
	sample json.RawMessage
	// once makes Send and Cancel give the connection back exactly once.
	once sync.Once
}

// burstHold is the burst's place in its connection's send queue.
type burstHold struct {
	parked chan struct{} // closed by the writer when it reaches the burst and stands aside
	done   chan struct{} // closed when the burst is written or given up
	hangUp bool          // set before done closes: the stream is broken, hang up
	once   sync.Once
}

func (h *burstHold) release(hangUp bool) {
	h.once.Do(func() {
		h.hangUp = hangUp
		close(h.done)
	})
}

// burstWriteTimeout bounds one chunk's write to a client that stopped
// reading.
const burstWriteTimeout = 30 * time.Second

// PrepareBurst builds n MESSAGE_CREATE dispatches of content(i), posted by
// the test user in channelID, for the one session that receives that
// channel's messages. Each message has its own id, timestamp and nonce, as
// on Discord. The session's connection sends nothing else until the burst
// is sent (Send) or given up (Cancel); one of the two must follow.
//
// The server's lock is held while the burst is built (about 3 µs a
// message, 10 µs with zlib-stream), so REST and gateway handling wait for
// it; prepare bursts before a measurement, not during one.
func (s *Server) PrepareBurst(ctx context.Context, channelID string, n int, content func(i int) string) (*Burst, error) {
	if n < 1 {
		return nil, fmt.Errorf("emulator: prepare burst: %d messages", n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.w.channels[channelID]
	if ch == nil {
		return nil, fmt.Errorf("emulator: prepare burst: unknown channel %q", channelID)
	}
	var target []*session
	need := intentFor("MESSAGE_CREATE", ch.GuildID == "")
	for _, ss := range s.sortedSessionsLocked() {
		if shardFor(ch.GuildID, ss.shard[1]) == ss.shard[0] && ss.intents&need != 0 {
			target = append(target, ss)
		}
	}
	if len(target) != 1 {
		return nil, fmt.Errorf("emulator: prepare burst: %d sessions receive channel %s's messages; a burst goes to exactly one", len(target), channelID)
	}
	ss := target[0]
	if ss.conn == nil {
		return nil, fmt.Errorf("emulator: prepare burst: session %s is not connected", ss.id)
	}
	b := &Burst{c: ss.conn, n: n, first: ss.seq + 1, hold: &burstHold{parked: make(chan struct{}), done: make(chan struct{})}}
	b.c.enqueue(outFrame{burst: b.hold})
	// The writer first sends what was queued before the burst; it never
	// takes s.mu, and holding s.mu meanwhile keeps any other dispatch from
	// coming between.
	select {
	case <-b.hold.parked:
	case <-b.c.done:
		return nil, errors.New("emulator: prepare burst: the connection closed")
	case <-ctx.Done():
		b.hold.release(false) // nothing is dispatched yet: the writer carries on
		return nil, fmt.Errorf("emulator: prepare burst: %w", context.Cause(ctx))
	}
	strip := ss.intents&intentMessageContent == 0
	rng := rand.New(rand.NewPCG(uint64(ss.seq), uint64(n)))
	var js bytes.Buffer
	enc := json.NewEncoder(&js) // escapes like json.Marshal, into one reused buffer
	w := burstWriter{c: b.c, file: newBurstFile()}
	var tail []event // for the resume buffer
	for i := range n {
		text := content(i)
		body := messageBody{Content: &text, Nonce: strconv.FormatUint(rng.Uint64()>>1, 10)}
		if e := body.validate(true); e != nil {
			// Nothing is dispatched; the zlib context has moved on after
			// the first message, though, and the client cannot follow.
			b.hold.release(i > 0)
			return nil, fmt.Errorf("emulator: prepare burst: message %d: %s", i, e.message)
		}
		m, _ := s.newMessageLocked(ch, s.w.tester, &body) // fails only for replies
		js.Reset()
		_ = enc.Encode(m) // only our own types: cannot fail
		data := json.RawMessage(bytes.TrimSuffix(js.Bytes(), []byte("\n")))
		if strip {
			if d := s.strippedLocked(m); d != nil {
				data = d
			}
		}
		seq := b.first + int64(i)
		if err := w.add(data, seq); err != nil {
			w.discard()
			b.hold.release(true) // the zlib context has moved on
			return nil, fmt.Errorf("emulator: prepare burst: %w", err)
		}
		if i == 0 {
			b.sample = bytes.Clone(data)
		}
		if i >= n-maxBuffered {
			tail = append(tail, event{seq, dispatchFrame("MESSAGE_CREATE", data, seq)})
		}
	}
	ss.buf = append(ss.buf, tail...)
	if len(ss.buf) > maxBuffered {
		ss.buf = ss.buf[len(ss.buf)-maxBuffered:]
	}
	if err := w.flush(); err != nil {
		w.discard()
		b.hold.release(true)
		return nil, fmt.Errorf("emulator: prepare burst: %w", err)
	}
	if w.file != nil {
		putBurstChunks([][]byte{w.cur})
	}
	ss.seq += int64(n)
	b.file, b.chunks, b.bounds, b.size = w.file, w.chunks, w.bounds, w.size
	return b, nil
}

// burstWriter lays dispatches out as wire bytes: each enveloped,
// compressed with the connection's zlib context when it uses zlib-stream
// (the connection's writer is parked, so the context is the burst's to
// use), and framed as one unmasked WebSocket message, in runs of whole
// frames of up to burstChunk bytes, written to file or kept as chunks.
type burstWriter struct {
	c      *conn
	file   *os.File
	env    []byte
	cur    []byte
	chunks [][]byte
	bounds []int
	size   int
}

func (w *burstWriter) add(data json.RawMessage, seq int64) error {
	w.env = appendDispatchFrame(w.env[:0], "MESSAGE_CREATE", data, seq)
	msg, op := w.env, byte(websocket.TextMessage)
	if w.c.zw != nil {
		msg, op = w.c.deflate(w.env), websocket.BinaryMessage
	}
	if need := len(msg) + 10; len(w.cur)+need > cap(w.cur) {
		if err := w.flush(); err != nil {
			return err
		}
		if w.cur == nil || cap(w.cur) < need {
			w.cur = getBurstChunk(need)
		}
	}
	w.cur = appendFrameHeader(w.cur, op, len(msg))
	w.cur = append(w.cur, msg...)
	return nil
}

// flush ends the current run of frames.
func (w *burstWriter) flush() error {
	if len(w.cur) == 0 {
		return nil
	}
	w.size += len(w.cur)
	if w.file == nil {
		w.chunks = append(w.chunks, w.cur)
		w.cur = nil
		return nil
	}
	if _, err := w.file.Write(w.cur); err != nil {
		return fmt.Errorf("write the burst to %s: %w", w.file.Name(), err)
	}
	w.bounds = append(w.bounds, len(w.cur))
	w.cur = w.cur[:0] // the file has it: reuse the chunk
	return nil
}

func (w *burstWriter) discard() {
	if w.file != nil {
		_ = w.file.Close()
	}
	putBurstChunks(append(w.chunks, w.cur))
}

// burstDir holds bursts' files: a memory file system. Tests point it
// elsewhere to exercise the in-memory chunks.
var burstDir = "/dev/shm"

// newBurstFile is an unlinked file in burstDir for a burst's wire bytes,
// or nil where there is no such directory.
func newBurstFile() *os.File {
	f, err := os.CreateTemp(burstDir, "botrun-emulator-burst-")
	if err != nil {
		return nil
	}
	_ = os.Remove(f.Name()) // the open file keeps its pages; nothing is left behind
	return f
}

// appendFrameHeader appends a final, unmasked WebSocket frame header
// (RFC 6455 §5.2) for a payload of n bytes.
func appendFrameHeader(dst []byte, op byte, n int) []byte {
	dst = append(dst, 0x80|op)
	switch {
	case n < 126:
		return append(dst, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(dst, 126), uint16(n))
	}
	return binary.BigEndian.AppendUint64(append(dst, 127), uint64(n))
}

// burstChunk is the size of a burst's chunks, each written to the socket
// in one call (the connection's write lock is released between chunks,
// for pongs).
const burstChunk = 1 << 20

// burstChunks keeps the chunks of bursts already sent for the next ones:
// memory touched for the first time is expensive on some virtual machines
// (tens of µs a page), and a benchmark sends bursts of a gigabyte one
// after another. Up to maxFreeChunks are kept.
var burstChunks struct {
	mu   sync.Mutex // guards free
	free [][]byte
}

const maxFreeChunks = 2048 // 2 GiB

func getBurstChunk(need int) []byte {
	if need <= burstChunk {
		burstChunks.mu.Lock()
		defer burstChunks.mu.Unlock()
		if k := len(burstChunks.free); k > 0 {
			c := burstChunks.free[k-1]
			burstChunks.free = burstChunks.free[:k-1]
			return c[:0]
		}
	}
	return make([]byte, 0, max(need, burstChunk))
}

func putBurstChunks(chunks [][]byte) {
	burstChunks.mu.Lock()
	defer burstChunks.mu.Unlock()
	for _, c := range chunks {
		if cap(c) == burstChunk && len(burstChunks.free) < maxFreeChunks {
			burstChunks.free = append(burstChunks.free, c)
		}
	}
}

// Len is the number of dispatches in the burst.
func (b *Burst) Len() int { return b.n }

// Size is the burst's size on the wire, in bytes.
func (b *Burst) Size() int { return b.size }

// Seq is the sequence number of the burst's first dispatch; the others
// follow it.
func (b *Burst) Seq() int64 { return b.first }

// Sample is the data ("d") of the burst's first dispatch, as sent to the
// session.
func (b *Burst) Sample() json.RawMessage { return b.sample }

// Send writes the burst to its connection in large writes and returns
// when the last byte is written (not when the client has read it). On an
// error the stream is broken mid-way and the connection is hung up; the
// client may resume. Send may be called once.
func (b *Burst) Send(ctx context.Context) error {
	err := errors.New("emulator: burst already sent or cancelled")
	b.once.Do(func() {
		err = b.write(ctx)
		b.hold.release(err != nil)
		b.free()
	})
	return err
}

func (b *Burst) free() {
	if b.file != nil {
		_ = b.file.Close()
	}
	putBurstChunks(b.chunks)
	b.file, b.chunks = nil, nil
}

func (b *Burst) write(ctx context.Context) error {
	nc := b.c.ws.NetConn()
	if b.file != nil {
		if _, err := b.file.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("emulator: send burst: %w", err)
		}
		// *net.TCPConn sends from a file with sendfile, one run of whole
		// frames at a time.
		rf, ok := nc.(io.ReaderFrom)
		if !ok {
			rf = readerFrom{nc}
		}
		for _, n := range b.bounds {
			if err := context.Cause(ctx); err != nil {
				return fmt.Errorf("emulator: send burst: %w", err)
			}
			b.c.wmu.Lock()
			_ = nc.SetWriteDeadline(time.Now().Add(burstWriteTimeout))
			sent, err := rf.ReadFrom(&io.LimitedReader{R: b.file, N: int64(n)})
			b.c.wmu.Unlock()
			if err == nil && sent != int64(n) {
				err = io.ErrShortWrite
			}
			if err != nil {
				return fmt.Errorf("emulator: send burst: %w", err)
			}
		}
		return nil
	}
	for _, chunk := range b.chunks {
		if err := context.Cause(ctx); err != nil {
			return fmt.Errorf("emulator: send burst: %w", err)
		}
		b.c.wmu.Lock()
		_ = nc.SetWriteDeadline(time.Now().Add(burstWriteTimeout))
		_, err := nc.Write(chunk)
		b.c.wmu.Unlock()
		if err != nil {
			return fmt.Errorf("emulator: send burst: %w", err)
		}
	}
	return nil
}

// readerFrom copies into a connection that has no ReadFrom of its own.
type readerFrom struct{ w io.Writer }

func (r readerFrom) ReadFrom(src io.Reader) (int64, error) { return io.Copy(r.w, src) }

// Cancel gives up a burst that was not sent. Its events are already the
// session's, so the connection is hung up and the client may resume
// (within the last 2,000 events) or identify again. Cancel after Send
// does nothing.
func (b *Burst) Cancel() {
	b.once.Do(func() {
		b.hold.release(true)
		b.free()
	})
}
