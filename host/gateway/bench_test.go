package gateway

import (
	"fmt"
	"strings"
	"testing"
)

var benchMsg = fmt.Sprintf(`{"op":0,"s":42,"t":"MESSAGE_CREATE","d":{"id":"1234567890123456789","channel_id":"1234567890123456780","guild_id":"1234567890123456781","author":{"id":"1","username":"tester","global_name":"Tester","avatar":null},"content":%q,"timestamp":"2026-11-23T10:00:00.000000+00:00","tts":false,"mentions":[],"attachments":[],"embeds":[]}}`, strings.Repeat("hello ", 40))

func BenchmarkZlibStream(b *testing.B) {
	msgs := make([]string, 2048) // long enough for the window to be full most of the time
	for i := range msgs {
		msgs[i] = strings.Replace(benchMsg, `"s":42`, fmt.Sprintf(`"s":%d`, i), 1)
	}
	chunks := zlibMessages(b, msgs)
	b.SetBytes(int64(len(benchMsg)))
	b.ReportAllocs()
	z := newZlibStream(1 << 20)
	for i := 0; b.Loop(); i++ {
		if i%len(chunks) == 0 {
			z = newZlibStream(1 << 20)
		}
		if out, err := z.feed(chunks[i%len(chunks)]); err != nil || out == nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeFrame(b *testing.B) {
	data := []byte(benchMsg)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeFrame(data); err != nil {
			b.Fatal(err)
		}
	}
}
