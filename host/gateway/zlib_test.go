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
	})
}
