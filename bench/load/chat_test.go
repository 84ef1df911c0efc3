package load

import (
	"bytes"
	"compress/flate"
	"strings"
	"testing"
)

func TestChatContent(t *testing.T) {
	seen := map[string]bool{}
	for i := range 2000 {
		c := ChatContent(i)
		if c != ChatContent(i) {
			t.Fatalf("message %d differs between calls", i)
		}
		if len(c) < 400 || len(c) > 560 {
			t.Fatalf("message %d is %d characters, want 400–560: %q", i, len(c), c)
		}
		if strings.HasPrefix(c, "!") || strings.TrimSpace(c) != c {
			t.Fatalf("message %d %q: a command, or padded", i, c)
		}
		for _, r := range []byte(c) {
			if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
				t.Fatalf("message %d has %q, want printable ASCII that JSON need not escape", i, r)
			}
		}
		seen[c] = true
	}
	if len(seen) != 2000 {
		t.Fatalf("%d distinct messages of 2000", len(seen))
	}
}

// TestChatContentCompressesLikeChat checks what the varied words are for:
// one deflate stream over many messages, as zlib-stream sends them, shrinks
// them as it shrinks text (to between a fifth and three fifths), not
// nearly to nothing as it does one message repeated.
func TestChatContentCompressesLikeChat(t *testing.T) {
	ratio := func(content func(i int) string) float64 {
		var out bytes.Buffer
		w, err := flate.NewWriter(&out, flate.DefaultCompression)
		if err != nil {
			t.Fatal(err)
		}
		raw := 0
		for i := range 1000 {
			c := content(i)
			raw += len(c)
			w.Write([]byte(c))
			w.Flush() // a sync flush per message, as zlib-stream does
		}
		w.Close()
		return float64(out.Len()) / float64(raw)
	}
	if r := ratio(ChatContent); r < 0.2 || r > 0.6 {
		t.Fatalf("varied chat deflates to %.2f of its size, want 0.2–0.6", r)
	}
	if r := ratio(func(int) string { return ChatContent(0) }); r > 0.1 {
		t.Fatalf("one message repeated deflates to %.2f; the comparison above means nothing", r)
	}
}
