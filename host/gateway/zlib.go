package gateway

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/flate"
)

// zlibSuffix ends every message of a zlib-stream connection (Z_SYNC_FLUSH).
var zlibSuffix = []byte{0x00, 0x00, 0xff, 0xff}

const windowSize = 32 << 10

// zlibStream inflates Discord's zlib-stream transport: one deflate stream
// for the whole connection, cut into messages at sync-flush points.
//
// One inflater reads the whole stream, fed one message's bytes at a time.
// A sync flush ends with an empty stored block, the last thing the inflater
// reads of a message, and this inflater hands out its output exactly there
// (not at the end of every block, as compress/flate does); so once a Read
// returns with the message's input used up, the message is complete and
// the inflater waits at a block boundary for the next one. Nothing is
// copied or reset between messages, and decoding stays synchronous (no
// goroutine, no pipe).
//
// If the inflater does run out of input (a flush that adds nothing new to
// its output, a stream cut short), its error sticks; it is then reset onto
// the next message with the last 32 KiB of output, kept in hist, as its
// dictionary. After a sync flush that window is all the next block can
// refer to.
type zlibStream struct {
	buf     []byte // frames of a message received in pieces
	started bool   // zlib header consumed
	fr      io.ReadCloser
	src     bytes.Reader // the current message's compressed bytes
	broken  bool         // fr ran out of input or failed: reset it before reading on
	maxOut  int          // bound on one inflated message
	maxIn   int          // bound on buffered compressed input
	// lend hands out messages inside hist (valid until the next feed)
	// instead of a copy each (Config.TransientData).
	lend bool

	// hist is the inflated output: at least the stream's last 32 KiB, and
	// the message being inflated. The inflater writes straight into it.
	hist []byte
}

func newZlibStream(maxMessage int) *zlibStream {
	return &zlibStream{maxOut: maxMessage, maxIn: maxMessage + maxMessage/2 + 1024}
}

// errSkipped reports a message over the size limit that was inflated (to
// keep the stream's window intact) but dropped; the stream stays usable.
var errSkipped = errors.New("message over the size limit skipped")

// errZlibTooLarge means the compressed input or the inflated output grew
// beyond any sane bound; the stream cannot continue.
var errZlibTooLarge = errors.New("zlib-stream: message too large")

// feed adds one WebSocket frame, which is not kept after feed returns. It
// returns the inflated message (a slice of its own, or with lend one that
// is valid until the next feed) once a frame ends with
// the sync-flush suffix, nil while more frames are needed. An error other
// than errSkipped means the stream is corrupt and the connection must be
// dropped.
func (z *zlibStream) feed(frame []byte) ([]byte, error) {
	if len(z.buf)+len(frame) > z.maxIn {
		return nil, errZlibTooLarge
	}
	in := frame
	if len(z.buf) > 0 || !bytes.HasSuffix(frame, zlibSuffix) {
		z.buf = append(z.buf, frame...)
		if !bytes.HasSuffix(z.buf, zlibSuffix) {
			return nil, nil
		}
		in = z.buf
		z.buf = z.buf[:0]
	}
	if !z.started {
		if len(in) < 2 {
			return nil, errors.New("zlib-stream: short header")
		}
		cmf, flg := in[0], in[1]
		if cmf&0x0f != 8 || (uint16(cmf)<<8|uint16(flg))%31 != 0 {
			return nil, errors.New("zlib-stream: bad header")
		}
		if flg&0x20 != 0 {
			return nil, errors.New("zlib-stream: preset dictionary not supported")
		}
		in = in[2:]
		z.started = true
	}
	z.src.Reset(in)
	switch {
	case z.fr == nil:
		z.fr = flate.NewReader(&z.src)
	case z.broken:
		if err := z.fr.(flate.Resetter).Reset(&z.src, z.window()); err != nil {
			return nil, fmt.Errorf("zlib-stream: %w", err)
		}
		z.broken = false
	}
	start, err := z.inflate()
	if err != nil {
		return nil, err
	}
	if start < 0 {
		return nil, errSkipped
	}
	if z.lend {
		return z.hist[start:len(z.hist):len(z.hist)], nil
	}
	return bytes.Clone(z.hist[start:]), nil
}

// inflate reads the current message's output onto the end of hist and
// returns where in hist it starts, or -1 when it was over maxOut and was
// not kept.
func (z *zlibStream) inflate() (start int, err error) {
	if z.hist == nil || cap(z.hist) > 4*histSize {
		// first use, or back to the usual size after a large message
		z.hist = append(make([]byte, 0, histSize), z.window()...)
	}
	start = len(z.hist)
	total := 0
	for {
		if cap(z.hist)-len(z.hist) <= windowSize {
			// A read into more than 32 KiB always takes all the output the
			// inflater holds, so none is left behind when the input ends.
			start = z.makeRoom(start)
		}
		n, err := z.fr.Read(z.hist[len(z.hist):cap(z.hist)])
		z.hist = z.hist[:len(z.hist)+n]
		total += n
		if total > 8*z.maxOut+windowSize {
			return 0, errZlibTooLarge
		}
		if start >= 0 && total > z.maxOut {
			start = -1 // keep inflating for the window's sake only
		}
		if err != nil {
			z.broken = true
			// Running out of input at the flush point ends the message;
			// io.EOF means the server finished the stream with a final
			// block.
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return start, nil
			}
			return 0, fmt.Errorf("zlib-stream: %w", err)
		}
		if z.src.Len() == 0 {
			return start, nil
		}
	}
}

// makeRoom frees more than 32 KiB at the end of hist, keeping the window
// and the current message's output from start (-1: none kept), and returns
// the message's new start.
func (z *zlibStream) makeRoom(start int) int {
	keep := max(0, len(z.hist)-windowSize)
	if start >= 0 {
		keep = min(keep, start)
	}
	n := copy(z.hist, z.hist[keep:])
	z.hist = z.hist[:n]
	if start >= 0 {
		start -= keep
	}
	if cap(z.hist)-n <= windowSize {
		// a message larger than the buffer: grow it, up to about maxOut
		grown := make([]byte, n, 2*cap(z.hist))
		copy(grown, z.hist)
		z.hist = grown
	}
	return start
}

// window is the last 32 KiB of inflated output.
func (z *zlibStream) window() []byte {
	return z.hist[len(z.hist)-min(len(z.hist), windowSize):]
}

// histSize is the initial capacity of hist: the window moves to its front
// only when output reaches the end, so keeping it costs about one extra
// copy of every third inflated byte.
const histSize = 4 * windowSize
