package jsondoc

import (
	"encoding/json"
	"os"
	"testing"
)

func fixture(b *testing.B) []byte { return readFixture(b, "message_create.json") }

// readFixture reads testdata/name: message_create.json is a realistic
// MESSAGE_CREATE, chat_message.json the first one the peer benchmark's
// throughput run sends (bench/load.ChatContent(0) as its content).
func readFixture(b *testing.B, name string) []byte {
	src, err := os.ReadFile("testdata/" + name)
	if err != nil {
		b.Fatal(err)
	}
	return src
}

func BenchmarkParseMessageCreate(b *testing.B) {
	src := fixture(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCopyMessageCreate(b *testing.B) {
	src := fixture(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCopy(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseAndReadMessageCreate is what a typical handler costs on
// the data side: parse, then read content, author.bot and mentions.
func BenchmarkParseAndReadMessageCreate(b *testing.B) {
	src := fixture(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := Parse(src)
		if err != nil {
			b.Fatal(err)
		}
		r := d.Root()
		c, _ := r.Get("content")
		a, _ := r.Get("author")
		bot, _ := a.Get("bot")
		m, _ := r.Get("mentions")
		if len(c.Str()) == 0 || bot.Bool() || m.Len() != 1 {
			b.Fatal("unexpected fixture values")
		}
	}
}

// BenchmarkHandlerReadsMessageCreate is the data side of the benchmark
// bots' handler (bench/peers/botrun) as the runner runs it: ParseCopy out
// of a reused buffer, then author.bot, content and channel_id.
func BenchmarkHandlerReadsMessageCreate(b *testing.B) {
	benchHandlerReads(b, fixture(b))
}

func BenchmarkHandlerReadsChatMessage(b *testing.B) {
	benchHandlerReads(b, readFixture(b, "chat_message.json"))
}

func benchHandlerReads(b *testing.B, src []byte) {
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := ParseCopy(src)
		if err != nil {
			b.Fatal(err)
		}
		r := d.Root()
		a, _ := r.Get("author")
		bot, _ := a.Get("bot")
		c, _ := r.Get("content")
		ch, _ := r.Get("channel_id")
		if a.Kind() != Object || bot.Bool() || len(c.Str()) == 0 || len(ch.Str()) == 0 {
			b.Fatal("unexpected fixture values")
		}
	}
}

// BenchmarkGetRoot is one lookup of a root field of a parsed event.
func BenchmarkGetRoot(b *testing.B) {
	d, err := Parse(fixture(b))
	if err != nil {
		b.Fatal(err)
	}
	r := d.Root()
	for b.Loop() {
		if c, ok := r.Get("content"); !ok || c.Kind() != String {
			b.Fatal("content")
		}
	}
}

// BenchmarkHotReads is the reads of BenchmarkParseAndReadMessageCreate on
// a Doc read many times before (by many scripts, say): no parse, and the
// nested containers have their tapes.
func BenchmarkHotReads(b *testing.B) {
	d, err := Parse(fixture(b))
	if err != nil {
		b.Fatal(err)
	}
	r := d.Root()
	for b.Loop() {
		c, _ := r.Get("content")
		a, _ := r.Get("author")
		bot, _ := a.Get("bot")
		m, _ := r.Get("mentions")
		if len(c.Str()) == 0 || bot.Bool() || m.Len() != 1 || a.Kind() != Object {
			b.Fatal("unexpected fixture values")
		}
	}
}

// BenchmarkStdlibMapMessageCreate is the baseline: encoding/json into a
// map, then the same reads.
func BenchmarkStdlibMapMessageCreate(b *testing.B) {
	src := fixture(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]any
		if err := json.Unmarshal(src, &m); err != nil {
			b.Fatal(err)
		}
		c, _ := m["content"].(string)
		bot, _ := m["author"].(map[string]any)["bot"].(bool)
		ms, _ := m["mentions"].([]any)
		if len(c) == 0 || bot || len(ms) != 1 {
			b.Fatal("unexpected fixture values")
		}
	}
}
