package js

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/enginetest"
	"github.com/botrun/botrun/engine/jsondoc"
)

// BenchmarkHandlerMessageCreate is one ~1 KB MESSAGE_CREATE through a
// handler reading content, author.bot and mentions.length (the Doc is
// parsed once outside, as the runner shares it across scripts).
func BenchmarkHandlerMessageCreate(b *testing.B) {
	s := testScript(b, `let n = 0; on("MESSAGE_CREATE", (m) => { if (!m.author.bot && m.content.startsWith("!") && m.mentions.length > 0) n++ })`)
	data := json.RawMessage(messageCreate(b))
	doc, err := jsondoc.Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	d := &engine.Delivery{Event: bindings.Event{Name: "MESSAGE_CREATE", Data: data}, Doc: doc}
	b.ReportAllocs()
	defer cpuClock(b)()
	for b.Loop() {
		s.dispatch(d)
	}
}

// BenchmarkHandlerAsync is the peer benchmark's handler shape: an async
// arrow function that reads author.bot and content, calls startsWith twice
// and returns without awaiting.
func BenchmarkHandlerAsync(b *testing.B) {
	s := testScript(b, `let seen = 0; on("MESSAGE_CREATE", async (msg) => {
  if (msg.author && msg.author.bot) return;
  seen++;
  const c = msg.content;
  if (c.startsWith("!ping ")) { await discord.send(msg.channel_id, "pong " + c.slice(6)) }
  else if (c.startsWith("!done ")) { seen = 0 }
}); globalThis.seenCount = () => seen`)
	// Ordinary chat, as in the throughput workload: no command matches.
	data := json.RawMessage(strings.Replace(messageCreate(b), `"!ping hello`, `"hello there`, 1))
	doc, err := jsondoc.Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	d := &engine.Delivery{Event: bindings.Event{Name: "MESSAGE_CREATE", Data: data}, Doc: doc}
	b.ReportAllocs()
	defer cpuClock(b)()
	for b.Loop() {
		s.dispatch(d)
	}
	if got, err := s.vm.RunString("seenCount()"); err != nil || got.ToInteger() == 0 {
		b.Fatalf("the handler did not run: %v %v", got, err)
	}
}

// BenchmarkHandlerPeer is the handler of the peer benchmark
// (bench/peers/botrun/js/bench.js, the file itself) on a message it
// inspects and ignores: the per-event share of a botrun-js throughput run.
func BenchmarkHandlerPeer(b *testing.B) {
	src, err := os.ReadFile("../../bench/peers/botrun/js/bench.js")
	if err != nil {
		b.Fatal(err)
	}
	s := testScript(b, string(src))
	ev := enginetest.Message("1", "just chatting about the weather, nothing to see here")
	d := enginetest.NewDelivery(b, ev)
	b.ReportAllocs()
	defer cpuClock(b)()
	for b.Loop() {
		s.dispatch(d)
	}
}

// cpuClock reports the process's CPU time per iteration (user+system,
// GC workers included) as cpu-ns/op: on a shared machine wall time
// measures the neighbours as much as the code.
func cpuClock(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkVMCreate is building one idle script VM (bindings, timers,
// console, limits) and running a small top level.
func BenchmarkVMCreate(b *testing.B) {
	dir := b.TempDir()
	writeFile(b, dir, "idle.js", `on("MESSAGE_CREATE", (m) => {})`)
	e := New(engine.Limits{}).(*jsEngine)
	b.ReportAllocs()
	for b.Loop() {
		bs := &bindings.Script{Name: "idle", Path: "idle.js", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Reg: bindings.NewRegistry(nil)}
		s, err := e.newScript(engine.Unit{Name: "idle", Path: "idle.js", Dir: dir, Lang: "js"}, bs)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.runTopLevel(); err != nil {
			b.Fatal(err)
		}
		s.root.Close()
	}
}

// TestRetainedMemoryPerIdleVM reports the heap one idle script keeps.
func TestRetainedMemoryPerIdleVM(t *testing.T) {
	if testing.Short() {
		t.Skip("measurement")
	}
	dir := t.TempDir()
	writeFile(t, dir, "idle.js", `on("MESSAGE_CREATE", (m) => {})`)
	e := New(engine.Limits{}).(*jsEngine)
	const n = 100
	keep := make([]*script, 0, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range n {
		bs := &bindings.Script{Name: "idle", Path: "idle.js", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Reg: bindings.NewRegistry(nil)}
		s, err := e.newScript(engine.Unit{Name: "idle", Path: "idle.js", Dir: dir, Lang: "js"}, bs)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.runTopLevel(); err != nil {
			t.Fatal(err)
		}
		keep = append(keep, s)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	t.Logf("retained heap per idle JS script: %d KiB", per>>10)
	if per <= 0 || per > 4<<20 {
		t.Fatalf("implausible retained heap per VM: %d bytes", per)
	}
	for _, s := range keep {
		s.Close(context.Background())
	}
}

// BenchmarkBindingSync is a sync binding call (timer.cancel(undefined))
// from JS, conversion included.
func BenchmarkBindingSync(b *testing.B) {
	s := testScript(b, `globalThis.f = () => { for (let i = 0; i < 1000; i++) timer.cancel(undefined) }`)
	f := s.vm.Get("f")
	b.ReportAllocs()
	for b.Loop() {
		s.call(f, nil)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/call")
}

// BenchmarkBindingAsync is one event whose async handler awaits an async
// binding (sleep(0)): Promise creation, the binding's goroutine, the post
// back to the loop and the resumption, end to end.
func BenchmarkBindingAsync(b *testing.B) {
	dir := b.TempDir()
	writeFile(b, dir, "a.js", `on("GO", async () => { await sleep(0); log.info("done") })`)
	done := make(chan struct{}, 1)
	bs := &bindings.Script{Name: "a", Path: "a.js", Log: slog.New(signalHandler{done}), Reg: bindings.NewRegistry(nil)}
	s, err := New(engine.Limits{}).Load(context.Background(), engine.Unit{Name: "a", Path: "a.js", Dir: dir, Lang: "js"}, bs)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	s.Start()
	ev := &engine.Delivery{Event: bindings.Event{Name: "GO"}}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Deliver(ev); err != nil {
			b.Fatal(err)
		}
		<-done
	}
}

// signalHandler is a slog.Handler that signals each record.
type signalHandler struct{ ch chan struct{} }

func (h signalHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h signalHandler) Handle(context.Context, slog.Record) error {
	h.ch <- struct{}{}
	return nil
}
func (h signalHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h signalHandler) WithGroup(string) slog.Handler      { return h }
