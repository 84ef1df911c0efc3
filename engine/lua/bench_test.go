package lua

import (
	lua "github.com/yuin/gopher-lua"

	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/enginetest"
	"github.com/botrun/botrun/engine/jsondoc"
)

// loadInternal loads src as a script and returns the engine's own type, so
// benchmarks can call dispatch on the test goroutine while the loop is idle.
func loadInternal(tb testing.TB, src string) *script {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "b.lua"), []byte(src), 0o644); err != nil {
		tb.Fatal(err)
	}
	e := New(engine.Limits{}).(*Engine)
	bs := &bindings.Script{Name: "b", Path: "b.lua", Log: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})),
		Host: enginetest.NewHost(enginetest.NewRecorder()).Bindings(), Reg: bindings.NewRegistry(nil)}
	sc, err := e.Load(context.Background(), engine.Unit{Name: "b", Path: "b.lua", Dir: dir, Lang: "lua"}, bs)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		sc.Close(ctx)
	})
	return sc.(*script)
}

// BenchmarkHandlerMessageCreate is one MESSAGE_CREATE (about 1 KB) reaching
// a handler that reads content, author.bot and #mentions: the per-script
// cost of an event once the host has parsed it.
func BenchmarkHandlerMessageCreate(b *testing.B) {
	ev := enginetest.Message("1", "!ping")
	benchPeer(b, ev)
	b.ReportMetric(float64(len(ev.Data)), "event-bytes")
}

// BenchmarkHandlerPeer is the handler of the peer benchmark
// (bench/peers/botrun/lua/bench.lua) on a message it inspects and ignores:
// the per-event share of a botrun-lua throughput run.
func BenchmarkHandlerPeer(b *testing.B) {
	benchPeer(b, enginetest.Message("1", "just chatting about the weather, nothing to see here"))
}

// benchPeer delivers ev over and over to the peer benchmark's handler.
func benchPeer(b *testing.B, ev bindings.Event) {
	src, err := os.ReadFile("../../bench/peers/botrun/lua/bench.lua")
	if err != nil {
		b.Fatal(err)
	}
	s := loadInternal(b, string(src))
	d := enginetest.NewDelivery(b, ev)
	b.ReportAllocs()
	for b.Loop() {
		s.dispatch(d)
	}
}

// BenchmarkHandlerEmpty is a MESSAGE_CREATE reaching a handler that reads
// nothing: the fixed cost of a delivery (handler lookup, the event's view,
// the coroutine, the CPU budget's clock and watch).
func BenchmarkHandlerEmpty(b *testing.B) {
	s := loadInternal(b, `on("MESSAGE_CREATE", function(msg) end)`)
	ev := enginetest.Message("1", "hello")
	d := enginetest.NewDelivery(b, ev)
	b.ReportAllocs()
	for b.Loop() {
		s.dispatch(d)
	}
}

// BenchmarkSyncBindingCall is the overhead of one call of a sync binding
// (log.debug below the log level: the binding returns at once).
func BenchmarkSyncBindingCall(b *testing.B) {
	s := loadInternal(b, `
on("X", function()
  local f = log.debug
  for i = 1, 1000 do f("x", i) end
end)`)
	d := &engine.Delivery{Event: bindings.Event{Name: "X"}}
	b.ReportAllocs()
	for b.Loop() {
		s.dispatch(d)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/binding-call")
}

// BenchmarkLoadScript is building a VM and running a small script's top
// level, then closing it.
func BenchmarkLoadScript(b *testing.B) {
	dir := b.TempDir()
	os.WriteFile(filepath.Join(dir, "b.lua"), []byte(`on("MESSAGE_CREATE", function(m) end)`), 0o644)
	e := New(engine.Limits{})
	u := engine.Unit{Name: "b", Path: "b.lua", Dir: dir, Lang: "lua"}
	b.ReportAllocs()
	for b.Loop() {
		bs := &bindings.Script{Name: "b", Path: "b.lua", Log: slog.New(slog.DiscardHandler), Host: &bindings.Host{}, Reg: bindings.NewRegistry(nil)}
		sc, err := e.Load(context.Background(), u, bs)
		if err != nil {
			b.Fatal(err)
		}
		sc.Close(context.Background())
	}
}

// TestIdleVMMemory reports the heap held by one loaded, idle script.
func TestIdleVMMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("measurement")
	}
	const n = 50
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "b.lua"), []byte(`on("MESSAGE_CREATE", function(m) end)`), 0o644)
	e := New(engine.Limits{})
	u := engine.Unit{Name: "b", Path: "b.lua", Dir: dir, Lang: "lua"}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	var keep []engine.Script
	for range n {
		bs := &bindings.Script{Name: "b", Path: "b.lua", Log: slog.New(slog.DiscardHandler), Host: &bindings.Host{}, Reg: bindings.NewRegistry(nil)}
		sc, err := e.Load(context.Background(), u, bs)
		if err != nil {
			t.Fatal(err)
		}
		keep = append(keep, sc)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	per := (int64(ms.HeapAlloc) - int64(before)) / n
	t.Logf("heap per idle Lua script: %d KiB", per/1024)
	if per > 2<<20 {
		t.Errorf("an idle script holds %d bytes; expected well under 2 MiB", per)
	}
	for _, sc := range keep {
		sc.Close(context.Background())
	}
}

// FuzzLuaRoundTrip feeds JSON through Go→Lua (plain tables) and back:
// conversion must never panic, and a second round trip must not change
// the result.
func FuzzLuaRoundTrip(f *testing.F) {
	for _, seed := range []string{
		`{"a":1,"b":[1,2,{"c":null}],"d":"x"}`, `[]`, `{}`, `[[],{}]`, `123456789012345678901`,
		`{"1":"x","2":"y"}`, `[1.5,-0,1e300]`, `"\u00e9\ud83d\ude00"`, `{"nested":{"deep":[[[[1]]]]}}`, `null`, `true`,
		string(enginetest.MessageData("1", "hello")),
	} {
		f.Add([]byte(seed))
	}
	s := loadInternal(f, "")
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		once := func(raw []byte) ([]byte, error) {
			v := s.toLua(json.RawMessage(raw))
			g, err := s.newConverter("fuzz").toGo(v, 0)
			if err != nil {
				return nil, err
			}
			return json.Marshal(g)
		}
		out1, err := once(data)
		if err != nil {
			return // refused values (NaN/Inf after overflow, too deep) are errors, not panics
		}
		// Results are built straight from jsondoc; decoding through
		// encoding/json first must give the same tables.
		gj, err := s.newConverter("fuzz").toGo(s.decodeToLua(json.RawMessage(data)), 0)
		if err != nil {
			t.Fatalf("encoding/json path failed where the jsondoc path did not: %v", err)
		}
		if viaJSON, err := json.Marshal(gj); err != nil || string(viaJSON) != string(out1) {
			t.Fatalf("jsondoc tables %s != encoding/json tables %s (%v)", out1, viaJSON, err)
		}
		out2, err := once(out1)
		if err != nil {
			t.Fatalf("second round trip of %s failed: %v", out1, err)
		}
		if string(out1) != string(out2) {
			t.Fatalf("round trip not stable:\n%s\n%s", out1, out2)
		}
		// The lazy view of the same document must agree with the table.
		doc, err := jsondoc.Parse(data)
		if err != nil {
			return
		}
		view := s.docValue(doc.Root())
		g, err := s.newConverter("fuzz").toGo(view, 0)
		if err != nil {
			t.Fatalf("view conversion failed: %v", err)
		}
		if raw, ok := g.(json.RawMessage); ok {
			out3, err := once(raw)
			if err != nil || string(out3) != string(out1) {
				t.Fatalf("view round trip %s != table round trip %s (%v)", out3, out1, err)
			}
		}
	})
}

// BenchmarkAsyncBindingCall is one call of an async binding (discord.get
// against an in-memory platform): yield, a goroutine, the post back to the
// loop and the resume.
func BenchmarkAsyncBindingCall(b *testing.B) {
	dir := b.TempDir()
	os.WriteFile(filepath.Join(dir, "a.lua"), []byte(`
on("X", function()
  for i = 1, 100 do discord.get("/x") end
  done()
end)`), 0o644)
	rec := enginetest.NewRecorder()
	host := enginetest.NewHost(rec).Bindings()
	host.Platform = nopPlatform{}
	e := New(engine.Limits{}).(*Engine)
	bs := &bindings.Script{Name: "a", Path: "a.lua", Log: slog.New(slog.DiscardHandler), Host: host, Reg: bindings.NewRegistry(nil)}
	sc, err := e.Load(context.Background(), engine.Unit{Name: "a", Path: "a.lua", Dir: dir, Lang: "lua"}, bs)
	if err != nil {
		b.Fatal(err)
	}
	defer sc.Close(context.Background())
	s := sc.(*script)
	finished := make(chan struct{}, 1)
	s.loop.Post(func() {
		s.L.SetGlobal("done", s.L.NewFunction(func(*lua.LState) int { finished <- struct{}{}; return 0 }))
	})
	sc.Start()
	b.ReportAllocs()
	for b.Loop() {
		if err := sc.Deliver(&engine.Delivery{Event: bindings.Event{Name: "X"}}); err != nil {
			b.Fatal(err)
		}
		<-finished
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100, "ns/async-call")
}

type nopPlatform struct{ bindings.Platform }

func (nopPlatform) Request(context.Context, string, string, any) (json.RawMessage, error) {
	return json.RawMessage(`{"ok":true}`), nil
}

// BenchmarkPcall is one pcall of a function that returns at once: each
// pcall runs its function in a coroutine so that waits can cross it.
func BenchmarkPcall(b *testing.B) {
	s := loadInternal(b, `
local function f(x) return x end
on("X", function()
  for i = 1, 100 do pcall(f, i) end
end)`)
	d := &engine.Delivery{Event: bindings.Event{Name: "X"}}
	b.ReportAllocs()
	for b.Loop() {
		s.dispatch(d)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100, "ns/pcall")
}

// BenchmarkResultToLua is converting a binding's JSON result (a message
// object, as discord.send returns) into the plain tables a script gets.
func BenchmarkResultToLua(b *testing.B) {
	s := loadInternal(b, "")
	raw := json.RawMessage(enginetest.MessageData("1", "a reply of ordinary length"))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := s.toLua(raw).(*lua.LTable); !ok {
			b.Fatal("not a table")
		}
	}
	b.ReportMetric(float64(len(raw)), "result-bytes")
}
