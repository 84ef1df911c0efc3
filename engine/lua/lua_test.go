package lua_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/enginetest"
	"github.com/botrun/botrun/engine/jsondoc"
	"github.com/botrun/botrun/engine/loop"
	"github.com/botrun/botrun/engine/lua"
	"github.com/botrun/botrun/engine/watchdog"
)

// botDir writes files (name → source) into a fresh bot directory.
func botDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func unit(dir, path string) engine.Unit {
	name := strings.TrimSuffix(filepath.Base(path), ".lua")
	return engine.Unit{Name: name, Path: path, Dir: dir, Lang: "lua"}
}

func TestErrorsAreLocated(t *testing.T) {
	dir := botDir(t, map[string]string{
		"syntax.lua":   "local x = 1\nif x then\n  print(\"x\"\n",
		"toplevel.lua": "local u = require(\"lib.bad\")\n",
		"lib/bad.lua":  "local M = {}\n\nerror(\"module failed\")\nreturn M\n",
		"ok.lua":       "local n = store.get(\"k\")\non(\"MESSAGE_CREATE\", function(m) discord.send(\"1\", \"x\") end)\n",
		"binding.lua":  "discord.send()\n",
	})
	eng := lua.New(engine.Limits{})
	tests := []struct {
		path string
		kind engine.ErrorKind
		file string
		line int
		msg  string
	}{
		{"syntax.lua", engine.KindSyntax, "syntax.lua", 3, "at end of file"},
		{"toplevel.lua", engine.KindLoad, "lib/bad.lua", 3, "module failed"},
		{"binding.lua", engine.KindLoad, "binding.lua", 1, "discord.send: expects 2 argument(s)"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			errs := eng.Check(context.Background(), unit(dir, tc.path))
			if len(errs) != 1 {
				t.Fatalf("got %d errors %v, want 1", len(errs), errs)
			}
			e := errs[0]
			if e.Kind != tc.kind || e.Path != tc.file || e.Line != tc.line || !strings.Contains(e.Message, tc.msg) {
				t.Fatalf("got %s %q (kind %s, line %d), want %s:%d %q kind %s", e.Path, e.Message, e.Kind, e.Line, tc.file, tc.line, tc.msg, tc.kind)
			}
			if !strings.HasPrefix(e.Error(), tc.file+":") {
				t.Fatalf("Error() = %q, want it to start with the file", e.Error())
			}
		})
	}
	if errs := eng.Check(context.Background(), unit(dir, "ok.lua")); len(errs) != 0 {
		t.Fatalf("check of a valid script that uses the platform: %v", errs)
	}
}

func TestLoadBudgetAndFiles(t *testing.T) {
	dir := botDir(t, map[string]string{
		"spin.lua":        "while true do end\n",
		"mods.lua":        "local u = require(\"lib.u\")\nlocal h = require(\"helper\")\n",
		"lib/u.lua":       "return 1\n",
		"helper/init.lua": "return 2\n",
	})
	eng := lua.New(engine.Limits{LoadCPU: 50 * time.Millisecond})
	h := enginetest.NewHarness(t, dir, func(l engine.Limits) engine.Engine { return eng })
	start := time.Now()
	_, err := h.Load("spin", "spin.lua", engine.Limits{})
	var se *engine.ScriptError
	if !errors.As(err, &se) || se.Kind != engine.KindLimit || !strings.Contains(se.Message, "load exceeded its CPU budget of 50ms") {
		t.Fatalf("got %v", err)
	}
	if !errors.Is(err, bindings.ErrLimit) {
		t.Fatalf("budget error does not wrap ErrLimit: %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("interrupt took %v", el)
	}
	s, err := h.Load("mods", "mods.lua", engine.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(s)
	files := s.Files()
	slices.Sort(files)
	if want := []string{"helper/init.lua", "lib/u.lua", "mods.lua"}; !slices.Equal(files, want) {
		t.Fatalf("Files() = %v, want %v", files, want)
	}
}

func TestFolderScriptRequiresItsOwnModulesFirst(t *testing.T) {
	dir := botDir(t, map[string]string{
		"greet/init.lua": "log.info(require(\"util\"), require(\"shared\"))\n",
		"greet/util.lua": "return \"folder util\"\n",
		"util.lua":       "return \"top util\"\n",
		"shared.lua":     "return \"shared\"\n",
	})
	h := enginetest.NewHarness(t, dir, newLua)
	s, err := h.Load("greet", "greet/init.lua", engine.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(s)
	h.Expect(0, "log INFO folder util shared")
}

func TestQueueFullAndClosed(t *testing.T) {
	dir := botDir(t, map[string]string{"q.lua": "on(\"X\", function() end)\n"})
	h := enginetest.NewHarness(t, dir, newLua)
	s, err := h.Load("q", "q.lua", engine.Limits{QueueSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	ev := bindings.Event{Name: "X"}
	if err := enginetest.Deliver(s, ev); err != nil {
		t.Fatal(err)
	}
	if err := enginetest.Deliver(s, ev); !errors.Is(err, engine.ErrQueueFull) {
		t.Fatalf("want ErrQueueFull, got %v", err)
	}
	h.Close(s)
	if err := enginetest.Deliver(s, ev); !errors.Is(err, engine.ErrClosed) {
		t.Fatalf("want ErrClosed, got %v", err)
	}
	h.Close(s) // twice is harmless
}

func TestCloseInterruptsRunawayWithoutLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	dir := botDir(t, map[string]string{"r.lua": `
on("MESSAGE_CREATE", function(m)
  if m.content == "spin" then while true do end end
  sleep(60000)
end)
timer.every(10, function() end)
`})
	h := enginetest.NewHarness(t, dir, newLua)
	for range 3 {
		s, err := h.Load("r", "r.lua", engine.Limits{CPU: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		enginetest.Deliver(s, enginetest.Message("1", "wait"))
		enginetest.Deliver(s, enginetest.Message("2", "spin"))
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		start := time.Now()
		err = s.Close(ctx)
		cancel()
		if !errors.Is(err, loop.ErrGaveUp) {
			t.Fatalf("Close = %v, want ErrGaveUp", err)
		}
		if el := time.Since(start); el > 3*time.Second {
			t.Fatalf("Close took %v", el)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond) // polling the goroutine count: no event to wait on
	}
}

func TestWatchdogInterruptsRunningHandler(t *testing.T) {
	var heap atomic.Uint64
	dog := watchdog.New(watchdog.Config{Threshold: 100, Heap: heap.Load, Log: slog.New(slog.DiscardHandler)})
	var got atomic.Pointer[engine.ScriptError]
	dir := botDir(t, map[string]string{"hog.lua": `
on("MESSAGE_CREATE", function(m)
  if m.content == "hog" then
    local t = {}
    while true do t[#t % 1000 + 1] = {} end
  end
  discord.send("100", "fine")
end)
`})
	eng := lua.New(engine.Limits{CPU: time.Hour}, lua.WithWatchdog(dog), lua.WithErrorHandler(func(e *engine.ScriptError) { got.Store(e) }))
	h := enginetest.NewHarness(t, dir, func(engine.Limits) engine.Engine { return eng })
	s := h.Start("hog", "hog.lua", engine.Limits{})
	if hit := dog.Check(); hit != nil {
		t.Fatalf("idle script interrupted: %v", hit)
	}
	heap.Store(1000)
	enginetest.Deliver(s, enginetest.Message("1", "hog"))
	deadline := time.Now().Add(5 * time.Second)
	for got.Load() == nil {
		if time.Now().After(deadline) {
			t.Fatal("watchdog never interrupted the handler")
		}
		dog.Check()
		runtime.Gosched()
	}
	if e := got.Load(); e.Kind != engine.KindLimit || !strings.Contains(e.Message, "heap over limit") || e.Line == 0 {
		t.Fatalf("error %+v", e)
	}
	heap.Store(0)
	enginetest.Deliver(s, enginetest.Message("2", "next"))
	h.Expect(0, `send 100 {"content":"fine"}`)
}

func TestHandlerErrorHasTraceback(t *testing.T) {
	dir := botDir(t, map[string]string{"tb.lua": `local function inner(x)
  return x.field
end
local function outer()
  local v = inner(nil)
  return v
end
on("MESSAGE_CREATE", function(m)
  outer()
end)
`})
	var got atomic.Pointer[engine.ScriptError]
	eng := lua.New(engine.Limits{}, lua.WithErrorHandler(func(e *engine.ScriptError) { got.Store(e) }))
	h := enginetest.NewHarness(t, dir, func(engine.Limits) engine.Engine { return eng })
	s := h.Start("tb", "tb.lua", engine.Limits{})
	enginetest.Deliver(s, enginetest.Message("1", "x"))
	h.Expect(0, "error tb.lua:2: *")
	e := got.Load()
	if e == nil || e.Kind != engine.KindHandler || e.Line != 2 {
		t.Fatalf("error %+v", e)
	}
	// The frame that raised is in Line; Stack lists its callers.
	for _, want := range []string{"tb.lua:5:", "tb.lua:9:"} {
		if !strings.Contains(e.Stack, want) {
			t.Errorf("stack lacks %s:\n%s", want, e.Stack)
		}
	}
}

// TestLuaSemantics checks Lua-only behaviour with assertions inside the
// script: the script logs "all ok" only if every assert held.
func TestLuaSemantics(t *testing.T) {
	dir := botDir(t, map[string]string{"sem.lua": `
on("MESSAGE_CREATE", function(msg)
  -- pcall of things that cannot be called
  local ok, e = pcall(nil)
  assert(not ok and e == "attempt to call a nil value", e)
  local callable = setmetatable({}, {__call = function(self, a) return a * 2 end})
  local ok2, v2 = pcall(callable, 21)
  assert(ok2 and v2 == 42)
  -- multiple results and nils survive
  local r = {pcall(function() return 1, nil, 3 end)}
  assert(r[1] == true and r[2] == 1 and r[3] == nil and r[4] == 3)
  assert(select("#", pcall(function() end)) == 1)
  -- a yield inside pcall inside a coroutine reaches the coroutine's resumer
  local co = coroutine.create(function()
    local ok3, v3 = pcall(function() return coroutine.yield("out") .. "!" end)
    return v3
  end)
  local _, y = coroutine.resume(co)
  assert(y == "out", y)
  local _, fin = coroutine.resume(co, "in")
  assert(fin == "in!", fin)
  -- waits inside nested pcall inside a coroutine inside pcall
  local okw, w = pcall(function()
    return coroutine.wrap(function() return select(2, pcall(discord.get, "/deep")).path end)()
  end)
  assert(okw and w == "/deep", tostring(w))
  -- error values of any type
  local okt, et = pcall(error, {code = 5})
  assert(not okt and et.code == 5)
  -- event data: views
  assert(tostring(msg):sub(1, 1) == "{")
  assert(getmetatable(msg) == "read-only")
  assert(msg.big == "123456789012345678901")
  assert(msg.nope == nil and msg.member.nick == nil)
  local copy = json.copy(msg.author)
  copy.username = "changed"
  assert(copy.username == "changed" and msg.author.username == "alice")
  assert(json.encode(json.object()) == "{}" and json.encode({}) == "[]")
  assert(json.encode({a = {1, 2}}) == '{"a":[1,2]}')
  assert(json.decode('{"x":[1,{"y":null}]}').x[1] == 1)
  -- sandbox details
  assert(load("\27Lua") == nil)
  assert(loadstring("return 1 + 1")() == 2)
  assert(os.time() > 0 and type(os.clock()) == "number" and os.date("%Y") ~= nil)
  local okr = pcall(string.rep, "ab", 3, ",")
  assert(okr and string.rep("ab", 3, ",") == "ab,ab,ab")
  log.info("all ok")
end)
`})
	h := enginetest.NewHarness(t, dir, newLua)
	s := h.Start("sem", "sem.lua", engine.Limits{})
	enginetest.Deliver(s, enginetest.Message("1", "x"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := h.Rec.WaitSeq(ctx, 0, "log INFO all ok"); err != nil {
		t.Fatal(err)
	}
}

func TestGsubIsSizeChecked(t *testing.T) {
	dir := botDir(t, map[string]string{"g.lua": `
local ok, e = pcall(string.gsub, string.rep("x", 1000), "", string.rep("y", 2000))
assert(not ok and tostring(e):find("too large"), tostring(e))
local r, n = ("hello world"):gsub("o", "0")
assert(r == "hell0 w0rld" and n == 2)
r, n = ("aaa"):gsub("a", "bb", 2)
assert(r == "bbbba" and n == 2, r)
r, n = ("abc"):gsub("%w", "%0%0")
assert(r == "aabbcc" and n == 3, r)
r = ("abc"):gsub("b", function(c) return c:upper() end)
assert(r == "aBc")
r = ("a1"):gsub("%d", 7)
assert(r == "a7")
r = ("hello world"):gsub("(%w+) (%w+)", "%2 %1")
assert(r == "world hello", r)
r = ("$name is $age"):gsub("%$(%w+)", {name = "ann", age = 3})
assert(r == "ann is 3", r)
r = ("abc"):gsub("()b", "%1")
assert(r == "a2c", r)
r = ("abc"):gsub("b", function() return false end)
assert(r == "abc")
r = ("50%"):gsub("%%", "%%%%")
assert(r == "50%%", r)
assert(not pcall(string.find, "x", string.rep("(", 100000)))
assert(not pcall(string.gsub, "x", string.rep("(", 33) .. "x" .. string.rep(")", 33), ""))
assert(("k=v"):match("(%w+)=(%w+)") == "k")
local words = {}
for w in ("a b c"):gmatch("%a") do words[#words + 1] = w end
assert(#words == 3)
assert(("x[(]y"):find("[(]", 1) == 3)
local big = string.rep("a", 200000)
local out, n = big:gsub(".", "b")
assert(n == 200000 and out:sub(1, 3) == "bbb")
log.info("gsub ok")
`})
	h := enginetest.NewHarness(t, dir, newLua)
	s, err := h.Load("g", "g.lua", engine.Limits{MaxString: 1 << 20, LoadCPU: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(s)
	h.Expect(0, "log INFO gsub ok")
}

func TestDeliveryOnErrorOncePerDelivery(t *testing.T) {
	dir := botDir(t, map[string]string{"f.lua": `
on("MESSAGE_CREATE", function(m) if m.content == "bad" then error("first") end end)
on("MESSAGE_CREATE", function(m) if m.content == "bad" then discord.get("/fail/500") end end)
command({name = "c", description = "d"}, function(ix) local x = nil; return x.y end)
`})
	h := enginetest.NewHarness(t, dir, newLua)
	s := h.Start("f", "f.lua", engine.Limits{})
	got := make(chan *engine.ScriptError, 10)
	deliver := func(ev bindings.Event) {
		doc, _ := jsondoc.Parse(ev.Data)
		if err := s.Deliver(&engine.Delivery{Event: ev, Doc: doc, OnError: func(e *engine.ScriptError) { got <- e }}); err != nil {
			t.Fatal(err)
		}
	}
	deliver(enginetest.Message("1", "bad"))
	n := h.Expect(0, "error f.lua:2:*first", "error f.lua:3:*500*")
	deliver(enginetest.Message("2", "good"))
	deliver(enginetest.Interaction("3", "c", nil))
	h.Expect(n, "error f.lua:4:*")
	first := <-got
	if first.Line != 2 || !strings.Contains(first.Message, "first") {
		t.Fatalf("first error %+v", first)
	}
	second := <-got
	if second.Line != 4 {
		t.Fatalf("routed error %+v", second)
	}
	select {
	case e := <-got:
		t.Fatalf("more than one report per delivery: %+v", e)
	default:
	}
}

func TestYieldOutsideCoroutineIsLocated(t *testing.T) {
	dir := botDir(t, map[string]string{"y.lua": `
on("MESSAGE_CREATE", function(m)
  coroutine.yield(1)
end)
`})
	h := enginetest.NewHarness(t, dir, newLua)
	s := h.Start("y", "y.lua", engine.Limits{})
	enginetest.Deliver(s, enginetest.Message("1", "x"))
	h.Expect(0, "error y.lua:3: attempt to yield from outside a coroutine")
}

func TestWaitingCoroutineCannotBeResumedByScript(t *testing.T) {
	dir := botDir(t, map[string]string{"w.lua": `
local parked
on("MESSAGE_CREATE", function(m)
  if m.content == "park" then
    parked = coroutine.create(function() return discord.get("/wait?for=release").slow end)
    log.info("parked result", coroutine.resume(parked))
  elseif m.content == "poke" then
    log.info("poke", coroutine.resume(parked, "fake"))
    discord.send("100", "release")
  end
end)
`})
	h := enginetest.NewHarness(t, dir, newLua)
	s := h.Start("w", "w.lua", engine.Limits{})
	enginetest.Deliver(s, enginetest.Message("1", "park"))
	enginetest.Deliver(s, enginetest.Message("2", "poke"))
	h.Expect(0, "log INFO poke false cannot resume a coroutine that is waiting for a binding call to finish",
		"log INFO parked result true true")
}

// A handler's coroutine goes back to a pool when the handler returns; a
// script that kept it (coroutine.running) cannot resume it later, while it
// is idle in the pool or running another handler.
func TestKeptHandlerCoroutineCannotBeResumed(t *testing.T) {
	dir := botDir(t, map[string]string{"k.lua": `
local kept
on("MESSAGE_CREATE", function(m)
  if m.content == "wait" then
    sleep(30)
    log.info("woke")
  elseif m.content == "keep" then
    kept = coroutine.running()
  else
    log.info("resume", coroutine.resume(kept))
  end
end)
`})
	h := enginetest.NewHarness(t, dir, newLua)
	s := h.Start("k", "k.lua", engine.Limits{})
	// "keep" runs on a second thread while "wait" sleeps; "wait" returns
	// last, so the next handler takes its thread and the kept one is idle.
	enginetest.Deliver(s, enginetest.Message("1", "wait"))
	enginetest.Deliver(s, enginetest.Message("2", "keep"))
	n := h.Expect(0, "log INFO woke")
	enginetest.Deliver(s, enginetest.Message("3", "poke"))
	n = h.Expect(n, "log INFO resume false cannot resume a handler's coroutine")
	enginetest.Deliver(s, enginetest.Message("4", "keep"))
	enginetest.Deliver(s, enginetest.Message("5", "poke"))
	h.Expect(n, "log INFO resume false cannot resume a handler's coroutine")
}
