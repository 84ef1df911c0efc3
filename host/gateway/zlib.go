package gateway

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
)

// zlibSuffix ends every message of a zlib-stream connection (Z_SYNC_FLUSH).
var zlibSuffix = []byte{0x00, 0x00, 0xff, 0xff}

const windowSize = 32 << 10

// zlibStream inflates Discord's zlib-stream transport: one deflate stream
// for the whole connection, cut into messages at sync-flush points.
//
// After a sync flush the deflate stream is byte aligned at a block boundary,
// and the only state the next block can depend on is the last 32 KiB of
// output. So each complete message is inflated by a reader reset onto just
// that message's bytes with the previous window as preset dictionary; the
// reader runs out of input exactly at the flush, which is the expected end.
// This keeps decoding synchronous (no goroutine, no pipe) and every message
// independent of how frames were split.
type zlibStream struct {
	buf     []byte // frames received since the last complete message
	hist    []byte // inflated output; its last 32 KiB are the window
	started bool   // zlib header consumed
	fr      io.ReadCloser
	maxOut  int // bound on one inflated message
	maxIn   int // bound on buffered compressed input
	out     bytes.Buffer
	src     bytes.Reader // reset onto each message's input
	scratch []byte       // inflate buffer reused across messages
	ww      windowWriter
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

// windowWriter collects one inflated message up to max bytes and keeps the
// stream's 32 KiB window current whether or not the message is kept.
type windowWriter struct {
	z     *zlibStream
	total int
	over  bool
}

func (w *windowWriter) Write(p []byte) (int, error) {
	w.total += len(p)
	if w.total > 8*w.z.maxOut+windowSize {
		return 0, errZlibTooLarge
	}
	w.z.hist = appendHist(w.z.hist, p)
	if !w.over {
		if w.z.out.Len()+len(p) > w.z.maxOut {
			w.over = true
			w.z.out.Reset()
		} else {
			w.z.out.Write(p)
		}
	}
	return len(p), nil
}

// feed adds one WebSocket frame. It returns the inflated message once a
// frame ends with the sync-flush suffix, nil while more frames are needed.
// An error means the stream is corrupt and the connection must be dropped.
func (z *zlibStream) feed(frame []byte) ([]byte, error) {
	if len(z.buf)+len(frame) > z.maxIn {
		return nil, errZlibTooLarge
	}
	z.buf = append(z.buf, frame...)
	if !bytes.HasSuffix(z.buf, zlibSuffix) {
		return nil, nil
	}
	in := z.buf
	z.buf = z.buf[:0]
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
	if z.fr == nil {
		z.fr = flate.NewReaderDict(&z.src, z.window())
	} else if err := z.fr.(flate.Resetter).Reset(&z.src, z.window()); err != nil {
		return nil, fmt.Errorf("zlib-stream: %w", err)
	}
	z.out.Reset()
	// the dictionary was copied by Reset, so the writer may move the
	// window on while inflating
	z.ww = windowWriter{z: z}
	ww := &z.ww
	err := z.inflate(ww)
	if errors.Is(err, errZlibTooLarge) {
		return nil, err
	}
	// Running out of input at the flush point is the normal end; io.EOF
	// means the server finished the stream with a final block.
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("zlib-stream: %w", err)
	}
	if ww.over {
		return nil, errSkipped
	}
	out := z.out.Bytes()
	msg := make([]byte, len(out))
	copy(msg, out)
	return msg, nil
}

// inflate copies the reader's output to w like io.Copy, but through a
// buffer kept across messages: io.Copy would allocate 32 KiB per message,
// which at thousands of events per second dominated the garbage collector's
// work.
func (z *zlibStream) inflate(w io.Writer) error {
	if z.scratch == nil {
		z.scratch = make([]byte, 8<<10)
	}
	for {
		n, err := z.fr.Read(z.scratch)
		if n > 0 {
			if _, werr := w.Write(z.scratch[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			// io.Copy reports a clean end as nil
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// window is the last 32 KiB of inflated output.
func (z *zlibStream) window() []byte {
	return z.hist[len(z.hist)-min(len(z.hist), windowSize):]
}

// histSize is the capacity of the history buffer: the window moves to its
// front only when output reaches the end, so keeping the window current
// copies each inflated byte about once more instead of shifting 32 KiB on
// every message.
const histSize = 4 * windowSize

func appendHist(h, out []byte) []byte {
	if len(out) >= windowSize {
		return append(h[:0], out[len(out)-windowSize:]...)
	}
	if h == nil {
		h = make([]byte, 0, histSize)
	}
	if len(h)+len(out) > cap(h) {
		keep := min(len(h), windowSize-len(out))
		copy(h, h[len(h)-keep:])
		h = h[:keep]
	}
	return append(h, out...)
}
