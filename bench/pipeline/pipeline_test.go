package pipeline

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/js"
	"github.com/botrun/botrun/engine/jsondoc"
	"github.com/botrun/botrun/engine/lua"
	"github.com/botrun/botrun/engine/runner"
)

// batch is how many events go in before the benchmark waits for the
// script to catch up, so that the figure is the handler's cost and not the
// time Dispatch spends held back by a full queue.
const batch = 256

// The scripts read what a typical handler reads (content, author.bot) and
// report every batch-th event, and every "!done", with a send. The JS
// handler is a plain function, like the peer benchmark's: an async one
// would add a Promise per call that this benchmark is not about.
var scripts = map[string]string{
	"lua": `
local n = 0
on("MESSAGE_CREATE", function(msg)
  if msg.author and msg.author.bot then return end
  n = n + 1
  local c = msg.content
  if c:sub(1, 6) == "!done " or n % ` + itoa(batch) + ` == 0 then
    discord.send(msg.channel_id, "batch")
  end
end)
`,
	"js": `
let n = 0;
on("MESSAGE_CREATE", (msg) => {
  if (msg.author && msg.author.bot) return;
  n++;
  const c = msg.content;
  if (c.startsWith("!done ") || n % ` + itoa(batch) + ` === 0) {
    discord.send(msg.channel_id, "batch");
  }
});
`,
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// sink is the platform: it counts the script's sends.
type sink struct{ sent chan string }

func (s *sink) Request(context.Context, string, string, any) (json.RawMessage, error) {
	return json.RawMessage(`{}`), nil
}
func (s *sink) SendMessage(_ context.Context, ch string, msg map[string]any, _ string) (json.RawMessage, error) {
	c, _ := msg["content"].(string)
	s.sent <- c
	return json.RawMessage(`{"id":"1","channel_id":"` + ch + `","content":"batch"}`), nil
}
func (s *sink) EditMessage(context.Context, string, string, map[string]any) (json.RawMessage, error) {
	return json.RawMessage(`{}`), nil
}
func (s *sink) DeleteMessage(context.Context, string, string) error       { return nil }
func (s *sink) AddReaction(context.Context, string, string, string) error { return nil }

// messageData is the ~1.3 KB MESSAGE_CREATE fixture with plain content.
func messageData(t testing.TB, content string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../engine/jsondoc/testdata/message_create.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["content"] = content
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type rig struct {
	r    *runner.Runner
	sink *sink
}

func newRig(t testing.TB, lang string) *rig {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bench."+lang), []byte(scripts[lang]), 0o644); err != nil {
		t.Fatal(err)
	}
	var eng engine.Engine
	limits := engine.Limits{}
	if lang == "lua" {
		eng = lua.New(limits)
	} else {
		eng = js.New(limits)
	}
	s := &sink{sent: make(chan string, 16)}
	r, err := runner.New(runner.Config{
		Dir:     dir,
		Engines: []engine.Engine{eng},
		Host:    &bindings.Host{Platform: s},
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if errs := r.Load(ctx); len(errs) > 0 {
		t.Fatalf("load: %v", errs)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return &rig{r: r, sink: s}
}

func (g *rig) await(t testing.TB) {
	t.Helper()
	select {
	case <-g.sink.sent:
	case <-time.After(10 * time.Second):
		t.Fatal("the script did not report its batch")
	}
}

func ev(data []byte) bindings.Event { return bindings.Event{Name: "MESSAGE_CREATE", Data: data} }

// TestPipelineDelivers checks the rig itself: every event reaches the
// handler (a batch report) and "!done" is answered.
func TestPipelineDelivers(t *testing.T) {
	for _, lang := range []string{"lua", "js"} {
		t.Run(lang, func(t *testing.T) {
			g := newRig(t, lang)
			data := messageData(t, "hello there")
			for i := 0; i < batch; i++ {
				g.r.Dispatch(ev(data))
			}
			g.await(t)
			g.r.Dispatch(ev(messageData(t, "!done x")))
			g.await(t)
		})
	}
}

func benchPipeline(b *testing.B, lang string) {
	g := newRig(b, lang)
	data := messageData(b, "hello "+strings.Repeat("an ordinary chat message. ", 16))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 1; i <= b.N; i++ {
		g.r.Dispatch(ev(data))
		if i%batch == 0 {
			g.await(b)
		}
	}
	b.StopTimer()
	g.r.Dispatch(ev(messageData(b, "!done x")))
	g.await(b)
}

// BenchmarkPipelineLua is one event through the runner into a Lua handler.
func BenchmarkPipelineLua(b *testing.B) { benchPipeline(b, "lua") }

// BenchmarkPipelineJS is one event through the runner into a JS handler.
func BenchmarkPipelineJS(b *testing.B) { benchPipeline(b, "js") }

// BenchmarkDecodeOnly is the floor: parsing the same data once.
func BenchmarkDecodeOnly(b *testing.B) {
	data := messageData(b, "hello "+strings.Repeat("an ordinary chat message. ", 16))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := jsondoc.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
