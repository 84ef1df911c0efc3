package gateway

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/botrun/botrun/bench/load"
)

// shortChat is the vocabulary of realisticMessages' content: short
// messages of a few words, most of them repeated often.
var shortChat = strings.Fields("the deploy is green again can you look at staging later thanks build passed failed retry ping pong merge review lunch tomorrow ok sure 👍 ✨ bot help")

// realisticMessages is a run of ~1.3 KB MESSAGE_CREATE dispatches that
// differ the way a busy guild's do: ids, authors, content, timestamps.
func realisticMessages(n int) []string {
	return chatMessages(n, func(_ int, rng *rand.Rand) string {
		var content strings.Builder
		for range 3 + rng.IntN(25) {
			content.WriteString(shortChat[rng.IntN(len(shortChat))])
			content.WriteByte(' ')
		}
		return content.String()
	})
}

// chatMessages is realisticMessages with the content of message i from
// content, which may draw on the messages' random source.
func chatMessages(n int, content func(i int, rng *rand.Rand) string) []string {
	rng := rand.New(rand.NewPCG(6, 6))
	names := []string{"rin", "nia", "kai", "mo", "sasha", "eli", "jun", "ade"}
	msgs := make([]string, n)
	for i := range msgs {
		text := content(i, rng)
		author := names[rng.IntN(len(names))]
		id := 1309478234459381810 + uint64(i)*4194304 + rng.Uint64N(4194304)
		uid := 184405311681986560 + uint64(rng.IntN(len(names)))*977
		msgs[i] = fmt.Sprintf(`{"t":"MESSAGE_CREATE","s":%d,"op":0,"d":{"type":0,"tts":false,"timestamp":"2026-11-23T10:%02d:%02d.%06d+00:00","referenced_message":null,"pinned":false,"nonce":"%d","mentions":[{"username":%q,"public_flags":0,"id":"%d","global_name":%q,"discriminator":"0","avatar":null}],"mention_roles":["1101872352310558720"],"mention_everyone":false,"member":{"roles":["1101872352310558720"],"premium_since":null,"pending":false,"nick":null,"mute":false,"joined_at":"2024-05-02T18:44:12.519000+00:00","flags":0,"deaf":false,"communication_disabled_until":null,"avatar":null},"id":"%d","flags":0,"embeds":[],"edited_timestamp":null,"content":%q,"components":[],"channel_id":"1101872353065537627","author":{"username":%q,"public_flags":64,"id":"%d","global_name":%q,"discriminator":"0","bot":false,"avatar":"0f1e2d3c4b5a69788796a5b4c3d2e1f0"},"attachments":[],"guild_id":"1101872352310558720"}}`,
			i+1, i/600%60, i/10%60, rng.IntN(1000000), id-7, names[rng.IntN(len(names))], uid+13, "Someone", id, text, author, uid, strings.ToUpper(author[:1])+author[1:])
	}
	return msgs
}

// zlibStreamOf compresses msgs as Discord does (one stream, default level,
// a sync flush ending each message) and returns each message's bytes.
func zlibStreamOf(t testing.TB, msgs []string) [][]byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		zw.Write([]byte(m))
		if err := zw.Flush(); err != nil {
			t.Fatal(err)
		}
		out[i] = bytes.Clone(buf.Bytes())
		buf.Reset()
	}
	return out
}

// BenchmarkZlibStreamRealistic inflates a realistic compressed stream, one
// message per op, the stream restarting only after all 4096.
func BenchmarkZlibStreamRealistic(b *testing.B) { benchZlibStream(b, realisticMessages(4096)) }

// BenchmarkZlibStreamLongChat is BenchmarkZlibStreamRealistic for
// messages with the throughput benchmark's 400–500 characters of varied
// chat (load.ChatContent): each sync-flushed message is then a block with
// Huffman tables of its own to build, which is most of what inflating
// costs.
func BenchmarkZlibStreamLongChat(b *testing.B) {
	benchZlibStream(b, chatMessages(4096, func(i int, _ *rand.Rand) string { return load.ChatContent(i) }))
}

// benchZlibStream inflates msgs compressed as one stream, one message per
// op, the stream restarting only after the last.
func benchZlibStream(b *testing.B, msgs []string) {
	chunks := zlibStreamOf(b, msgs)
	var in, out int
	for i := range msgs {
		in += len(chunks[i])
		out += len(msgs[i])
	}
	b.SetBytes(int64(out / len(msgs)))
	b.ReportAllocs()
	z := newZlibStream(1 << 20)
	for i := 0; b.Loop(); i++ {
		if i%len(chunks) == 0 {
			z = newZlibStream(1 << 20)
		}
		if got, err := z.feed(chunks[i%len(chunks)]); err != nil || got == nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(in)/float64(len(msgs)), "in-B/msg")
}

// BenchmarkReadPathRealistic is the read pump's per-event work: inflate
// one realistic dispatch and decode its envelope.
func BenchmarkReadPathRealistic(b *testing.B) {
	msgs := realisticMessages(4096)
	chunks := zlibStreamOf(b, msgs)
	b.ReportAllocs()
	z := newZlibStream(1 << 20)
	for i := 0; b.Loop(); i++ {
		if i%len(chunks) == 0 {
			z = newZlibStream(1 << 20)
		}
		data, err := z.feed(chunks[i%len(chunks)])
		if err != nil || data == nil {
			b.Fatal(err)
		}
		if f, err := decodeFrame(data); err != nil || f.T != "MESSAGE_CREATE" {
			b.Fatal(err)
		}
	}
}

func TestZlibStreamRealistic(t *testing.T) {
	msgs := realisticMessages(3000)
	z := newZlibStream(1 << 20)
	for i, c := range zlibStreamOf(t, msgs) {
		got, err := z.feed(c)
		if err != nil || string(got) != msgs[i] {
			t.Fatalf("message %d: %v (%d bytes, want %d)", i, err, len(got), len(msgs[i]))
		}
		if _, err := decodeFrame(got); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
}

// BenchmarkDecodeFrameRealistic decodes the envelope of realistic
// MESSAGE_CREATE dispatches: many short keys, ids and timestamps.
func BenchmarkDecodeFrameRealistic(b *testing.B) {
	msgs := realisticMessages(256)
	data := make([][]byte, len(msgs))
	size := 0
	for i, m := range msgs {
		data[i] = []byte(m)
		size += len(m)
	}
	b.SetBytes(int64(size / len(msgs)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := decodeFrame(data[i%len(data)]); err != nil {
			b.Fatal(err)
		}
	}
}
