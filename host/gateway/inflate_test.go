package gateway

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// errInflateLimit stops inflateAll at inflateLimit bytes of output.
var errInflateLimit = errors.New("over the test's output limit")

const inflateLimit = 1 << 20

// inflateAll runs a fresh inflater over one whole raw deflate stream.
func inflateAll(data []byte) (out []byte, final bool, err error) {
	o := inflateOut{grow: func(buf []byte, room int) ([]byte, error) {
		if len(buf) > inflateLimit {
			return buf, errInflateLimit
		}
		return append(make([]byte, 0, 2*cap(buf)+room), buf...), nil
	}}
	final, err = newInflater().run(data, &o)
	return o.buf, final, err
}

// deflated compresses data with compress/flate at level, ending the
// stream with a final block.
func deflated(t testing.TB, data []byte, level int) []byte {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

// FuzzInflateMatchesFlate compares the inflater with compress/flate on
// any input: a stream that either decodes whole (through its final
// block) must decode the same in the other.
func FuzzInflateMatchesFlate(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 4))
	text := []byte(strings.Repeat("the quick brown fox jumps over the lazy dog 0123456789 ", 40))
	noise := make([]byte, 3000)
	for i := range noise {
		noise[i] = byte(rng.IntN(256))
	}
	for _, level := range []int{flate.HuffmanOnly, flate.NoCompression, flate.BestSpeed, flate.DefaultCompression, flate.BestCompression} {
		f.Add(deflated(f, text, level))
		f.Add(deflated(f, noise, level))
		f.Add(deflated(f, nil, level))
	}
	f.Add([]byte{0x03, 0x00})                   // a final fixed block with only its end
	f.Add([]byte{0x01, 0x00, 0x00, 0xff, 0xff}) // a final empty stored block
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(data)), 2*inflateLimit))
		got, final, gerr := inflateAll(data)
		if len(want) > inflateLimit || gerr == errInflateLimit {
			return // a bomb: both stop somewhere, not necessarily at the same byte
		}
		switch {
		case werr == nil && (gerr != nil || !final):
			t.Fatalf("compress/flate decodes %d bytes; the inflater: final %t, %v", len(want), final, gerr)
		case werr == nil && !bytes.Equal(got, want):
			t.Fatalf("outputs differ: %d bytes against compress/flate's %d", len(got), len(want))
		case gerr == nil && final && werr != nil:
			t.Fatalf("the inflater accepts a stream compress/flate refuses (%v)", werr)
		}
	})
}

func TestInflateRefusesBadCodes(t *testing.T) {
	tests := []struct {
		name string
		lens []uint8
	}{
		{"over-subscribed", []uint8{1, 1, 1}},
		{"incomplete", []uint8{2, 2, 2}},
	}
	for _, tt := range tests {
		h := newHuffman(7)
		if err := h.build(tt.lens); err == nil {
			t.Errorf("%s code %v: built", tt.name, tt.lens)
		}
	}
	h := newHuffman(7)
	if err := h.build([]uint8{0, 1, 0}); err != nil {
		t.Errorf("a single one-bit code: %v", err)
	}
}
