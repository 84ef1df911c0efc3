package jsondoc

import (
	"encoding/json"
	"os"
	"testing"
)

func fixture(b *testing.B) []byte {
	src, err := os.ReadFile("testdata/message_create.json")
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
