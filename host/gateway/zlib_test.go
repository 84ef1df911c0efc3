package gateway

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// zlibMessages compresses msgs as one zlib stream, sync-flushing after each
// message, the way Discord's zlib-stream transport does.
func zlibMessages(t testing.TB, msgs []string) [][]byte {
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, zlib.BestSpeed)
	var out [][]byte
	for _, m := range msgs {
		zw.Write([]byte(m))
		if err := zw.Flush(); err != nil {
			t.Fatal(err)
		}
		out = append(out, append([]byte(nil), buf.Bytes()...))
		buf.Reset()
	}
	return out
}

func TestZlibStreamDecodesSplitFrames(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var msgs []string
	for i := range 60 {
		// repeated content makes later messages back-reference earlier ones
		msgs = append(msgs, fmt.Sprintf(`{"op":0,"s":%d,"t":"MESSAGE_CREATE","d":{"content":%q}}`, i, strings.Repeat("botrun ", rng.IntN(9000))))
	}
	z := newZlibStream(1 << 20)
	for i, chunk := range zlibMessages(t, msgs) {
		// split each message across 1-3 WebSocket frames
		var got []byte
		for len(chunk) > 0 {
			n := 1 + rng.IntN(len(chunk))
			out, err := z.feed(chunk[:n])
			if err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
			chunk = chunk[n:]
			if out != nil {
				if len(chunk) != 0 {
					t.Fatalf("message %d completed early", i)
				}
				got = out
			}
		}
		if string(got) != msgs[i] {
			t.Fatalf("message %d: got %d bytes, want %d", i, len(got), len(msgs[i]))
		}
	}
}

func TestZlibStreamRejectsCorruptAndOversized(t *testing.T) {
	if _, err := newZlibStream(1 << 20).feed([]byte{0x12, 0x34, 0, 0, 0xff, 0xff}); err == nil {
		t.Error("bad header accepted")
	}
	// an oversized message is skipped, and the stream goes on: the next
	// message back-references the skipped one's bytes
	big := strings.Repeat("abcdefgh", 625)
	chunks := zlibMessages(t, []string{big, "small " + big[:900]})
	z := newZlibStream(1000)
	if _, err := z.feed(chunks[0]); err != errSkipped {
		t.Errorf("oversized message: %v", err)
	}
	if out, err := z.feed(chunks[1]); err != nil || string(out) != "small "+big[:900] {
		t.Errorf("message after a skipped one: %q %v", out, err)
	}
	corrupt := append([]byte(nil), chunks[0]...)
	corrupt[3] ^= 0xff
	if out, err := newZlibStream(1 << 20).feed(corrupt); err == nil && string(out) == strings.Repeat("a", 5000) {
		t.Error("corruption went unnoticed")
	}
}

// An empty message (a flush with nothing new) leaves the inflater with no
// output to hand out at the flush; it must still pick up the stream where
// it stopped, back-references into earlier messages included.
func TestZlibStreamEmptyFlush(t *testing.T) {
	long := strings.Repeat("botrun zlib-stream ", 300)
	msgs := []string{long, "", "", long + "!", "x", ""}
	z := newZlibStream(1 << 20)
	for i, c := range zlibStreamOf(t, msgs) {
		got, err := z.feed(c)
		if err != nil || got == nil || string(got) != msgs[i] {
			t.Fatalf("message %d: %q %v", i, got, err)
		}
	}
}

// FuzzZlibStreamRoundTrip compresses fuzzed messages the way a server
// would, at every compression level, and checks that each one comes back
// whole however the frames are split.
func FuzzZlibStreamRoundTrip(f *testing.F) {
	f.Add([]byte(`{"op":0,"s":1,"t":"MESSAGE_CREATE","d":{"content":"hi"}}`), uint8(6), uint16(0), uint8(3))
	f.Add([]byte(strings.Repeat("abcdefgh", 5000)), uint8(0), uint16(700), uint8(2))
	f.Add([]byte(strings.Repeat("\xff\x00 random-ish", 3000)), uint8(1), uint16(40000), uint8(7))
	f.Add([]byte("a"), uint8(9), uint16(1), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, level uint8, cut uint16, split uint8) {
		// cut data into messages of about cut bytes, repeating it so later
		// messages refer back to earlier ones
		size := max(int(cut)%(len(data)+1)+1, len(data)/16)
		var msgs []string
		for rep := range 3 {
			for i := 0; i < len(data); i += size {
				msgs = append(msgs, string(data[i:min(len(data), i+size)]))
			}
			if rep == 0 {
				msgs = append(msgs, "")
			}
		}
		var buf bytes.Buffer
		zw, err := zlib.NewWriterLevel(&buf, int(level)%11-2) // -2 (Huffman only) to 9
		if err != nil {
			t.Fatal(err)
		}
		z := newZlibStream(1 << 20)
		parts := int(split)%4 + 1
		for i, m := range msgs {
			zw.Write([]byte(m))
			zw.Flush()
			chunk := bytes.Clone(buf.Bytes())
			buf.Reset()
			var got []byte
			for p := 0; len(chunk) > 0; p++ {
				n := len(chunk)
				if p < parts-1 {
					n = (len(chunk) + parts - 1) / parts
				}
				out, err := z.feed(chunk[:n])
				chunk = chunk[n:]
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				if out != nil && len(chunk) > 0 {
					// A frame that happens to end in the flush marker's bytes
					// cannot be told from a message's end; a server sends
					// each message whole or splits it where it likes.
					return
				}
				got = out
			}
			if string(got) != m {
				t.Fatalf("message %d: got %d bytes, want %d", i, len(got), len(m))
			}
		}
	})
}

func FuzzZlibStream(f *testing.F) {
	for _, c := range zlibMessages(f, []string{`{"op":10,"d":{"heartbeat_interval":41250}}`, `{"op":11}`}) {
		f.Add(c, 3)
	}
	f.Add([]byte{0x78, 0x9c, 0, 0, 0xff, 0xff}, 1)
	f.Fuzz(func(t *testing.T, data []byte, split int) {
		z := newZlibStream(1 << 16)
		if split <= 0 || split > len(data) {
			split = len(data)
		}
		for len(data) > 0 {
			n := min(split, len(data))
			out, err := z.feed(data[:n])
			if err != nil && err != errSkipped {
				return
			}
			if len(out) > 1<<16 {
				t.Fatalf("output %d over the limit", len(out))
			}
			data = data[n:]
		}
		// whatever came before, one more message ends cleanly or fails
		if out, err := z.feed(zlibSuffix); len(out) > 1<<16 {
			t.Fatalf("output %d over the limit (%v)", len(out), err)
		}
	})
}

// A large message grows the output buffer; the next message gives the
// memory back, and the stream still refers back across both.
func TestZlibStreamShrinksAfterLargeMessage(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 64<<10) // 1 MiB
	msgs := []string{"head " + big[:5000], big, "tail " + big[:40000]}
	z := newZlibStream(4 << 20)
	for i, c := range zlibStreamOf(t, msgs) {
		got, err := z.feed(c)
		if err != nil || string(got) != msgs[i] {
			t.Fatalf("message %d: %v (%d bytes)", i, err, len(got))
		}
		if i == 1 && cap(z.hist) <= 4*histSize {
			t.Fatalf("a 1 MiB message fit in %d bytes of history", cap(z.hist))
		}
	}
	if cap(z.hist) > 4*histSize {
		t.Errorf("history still holds %d bytes after a small message", cap(z.hist))
	}
}
