package gateway

import (
	"bytes"
	"errors"
	"fmt"
)

// zlibSuffix ends every message of a zlib-stream connection (Z_SYNC_FLUSH).
var zlibSuffix = []byte{0x00, 0x00, 0xff, 0xff}

const windowSize = 32 << 10

// zlibStream inflates Discord's zlib-stream transport: one deflate stream
// for the whole connection, cut into messages at sync-flush points.
//
// A sync flush ends the block in progress and adds an empty stored block,
// so every message is whole blocks: the inflater (inflate.go) decodes one
// message's blocks straight onto the end of hist, whose last 32 KiB are
// all the blocks can refer back to. Nothing is copied or reset between
// messages, and decoding is synchronous (no goroutine, no pipe). Input
// that ends inside a block ends the message there; the next message
// starts with a new block.
type zlibStream struct {
	buf     []byte // frames of a message received in pieces
	started bool   // zlib header consumed
	inf     *inflater
	out     inflateOut // the inflater's view of hist while it runs
	maxOut  int        // bound on one inflated message
	maxIn   int        // bound on buffered compressed input
	// lend hands out messages inside hist (valid until the next feed)
	// instead of a copy each (Config.TransientData).
	lend bool

	// hist is the inflated output: at least the stream's last 32 KiB, and
	// the message being inflated. The inflater writes straight into it.
	hist []byte
	// While a message is inflated: where its output starts in hist (-1
	// once it is over maxOut and is inflated only for the window's sake),
	// how much it has produced up to mark, and the end of hist when that
	// was counted.
	start, produced, mark int
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
	start, err := z.inflate(in)
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

// inflate decodes one message's input onto the end of hist and returns
// where in hist its output starts, or -1 when it was over maxOut and was
// not kept.
func (z *zlibStream) inflate(in []byte) (start int, err error) {
	if z.hist == nil || cap(z.hist) > 4*histSize {
		// first use, or back to the usual size after a large message
		z.hist = append(make([]byte, 0, histSize), z.window()...)
	}
	if z.inf == nil {
		z.inf = newInflater()
		z.out.grow = z.grow
	}
	z.start, z.produced, z.mark = len(z.hist), 0, len(z.hist)
	z.out.buf = z.hist
	_, err = z.inf.run(in, &z.out)
	z.hist, z.out.buf = z.out.buf, nil
	if err == nil {
		err = z.count()
	}
	if err != nil {
		if err == errZlibTooLarge {
			return 0, err
		}
		return 0, fmt.Errorf("zlib-stream: %w", err)
	}
	return z.start, nil
}

// count adds the output since mark to produced and applies the bounds.
func (z *zlibStream) count() error {
	z.produced += len(z.hist) - z.mark
	z.mark = len(z.hist)
	if z.produced > 8*z.maxOut+windowSize {
		return errZlibTooLarge
	}
	if z.start >= 0 && z.produced > z.maxOut {
		z.start = -1 // keep inflating for the window's sake only
	}
	return nil
}

// grow makes more than 32 KiB of room at the end of the output for the
// inflater (which asks for at most 258 bytes at a time).
func (z *zlibStream) grow(buf []byte, room int) ([]byte, error) {
	z.hist = buf
	if err := z.count(); err != nil {
		return buf, err
	}
	z.start = z.makeRoom(z.start)
	z.mark = len(z.hist)
	return z.hist, nil
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
