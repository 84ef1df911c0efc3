package js

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/botrun/botrun/engine"
)

func TestTimersFireInOrder(t *testing.T) {
	checkNoLeak(t)
	dir := writeBot(t, map[string]string{"tm.js": `
setTimeout(() => log.info("t30"), 30)
setTimeout((a, b) => log.info("t10", a, b), 10, "x", 2)
setTimeout(() => log.info("t10b"), 10)
const dead = setTimeout(() => log.info("cleared"), 5)
clearTimeout(dead)
let n = 0
const iv = setInterval(() => { n++; log.info("iv" + n); if (n === 3) clearInterval(iv) }, 12)
setTimeout(() => log.info("t0"), 0)
`})
	s := loadScript(t, dir, "tm.js", loadOpts{})
	s.log.wait(t, "iv3")
	s.log.wait(t, "t30")
	got := s.log.infos()
	idx := func(p string) int {
		return slices.IndexFunc(got, func(l string) bool { return strings.HasPrefix(l, p) })
	}
	if slices.Contains(got, "cleared") {
		t.Fatalf("cleared timer fired: %v", got)
	}
	if !(idx("t0") < idx("t10 x 2") && idx("t10 x 2") < idx("t10b") && idx("t10b") < idx("t30") && idx("iv1") < idx("iv2")) {
		t.Fatalf("order %v", got)
	}
}

func TestAsyncOrdering(t *testing.T) {
	dir := writeBot(t, map[string]string{"as.js": `
on("GO", async () => {
  log.info("a1")
  await null
  log.info("a3")
  await sleep(10)
  log.info("a5")
})
on("GO", () => {
  log.info("a2")
  Promise.resolve().then(() => log.info("a4"))
})
`})
	s := loadScript(t, dir, "as.js", loadOpts{})
	s.deliver(t, "GO", `{}`)
	s.log.wait(t, "a5")
	// Each handler is its own invocation: its microtasks run before the
	// next handler starts.
	if got := strings.Join(s.log.infos(), ","); got != "a1,a3,a2,a4,a5" {
		t.Fatalf("order %s", got)
	}
}

func TestUnhandledRejectionReported(t *testing.T) {
	dir := writeBot(t, map[string]string{"rj.js": `
on("A", async () => {
  await null
  throw new RangeError("nope")
})
on("B", () => { Promise.reject(new Error("handled")).catch(() => log.info("caught it")) })
`})
	s := loadScript(t, dir, "rj.js", loadOpts{})
	s.deliver(t, "A", `{}`)
	s.deliver(t, "B", `{}`)
	s.log.wait(t, "rj.js:4:", "unhandled promise rejection: RangeError: nope")
	s.log.wait(t, "caught it")
	lines, _ := s.log.snapshot()
	for _, l := range lines {
		if strings.Contains(l, "handled") && strings.Contains(l, "unhandled promise rejection: Error: handled") {
			t.Fatalf("handled rejection reported: %s", l)
		}
	}
}

func TestAwaitWorksAfterInterrupt(t *testing.T) {
	// Regression: an interrupt unwinding an async frame used to leave
	// goja believing it was mid-call, so no promise job ever ran again.
	dir := writeBot(t, map[string]string{"ai.js": `
on("SPIN", async () => { while (true) { try { while (true) {} } catch (e) {} } })
on("AFTER", async () => { await sleep(1); await null; log.info("resumed") })
`})
	s := loadScript(t, dir, "ai.js", loadOpts{limits: engine.Limits{CPU: 30 * time.Millisecond}})
	s.deliver(t, "SPIN", `{}`)
	s.deliver(t, "AFTER", `{}`)
	s.log.wait(t, "CPU budget of 30ms")
	s.log.wait(t, "resumed")
}

func TestMemoryBombsRefused(t *testing.T) {
	dir := writeBot(t, map[string]string{"mb.js": `
const tries = {
  repeat: () => "x".repeat(1 << 30),
  padStart: () => "x".padStart(1 << 30),
  padEnd: () => "x".padEnd(1 << 30, "ab"),
  join: () => { const a = []; a.length = 1 << 30; return a.join("x") },
  fill: () => { const a = []; a.length = 1e9; return a.fill(0) },
}
for (const [name, f] of Object.entries(tries)) {
  const t0 = Date.now()
  try { f(); log.info(name, "ALLOWED") } catch (e) { log.info(name, e.name) }
}
log.info("small", "ab".repeat(3), [1, 2, 3].join("-"), Array(3).length, new Array(2).fill(7).join(), [1, [2, [3]]].join(), "x".padStart(3, "-"))
log.info("isArray", Array.isArray([]), [] instanceof Array, Array.from([1, 2]).length, Array.of(4)[0])
`})
	s := loadScript(t, dir, "mb.js", loadOpts{limits: engine.Limits{MaxString: 1 << 20}})
	for _, name := range []string{"repeat", "padStart", "padEnd", "join", "fill"} {
		s.log.wait(t, name+" RangeError")
	}
	s.log.wait(t, "small ababab 1-2-3 3 7,7 1,2,3 --x")
	s.log.wait(t, "isArray true true 2 4")
}

func TestRequireResolution(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.js"), []byte(`module.exports = "SECRET"`), 0o644)
	dir := writeBot(t, map[string]string{
		"main.js": `
const a = require("./lib/a")
const b = require("lib/b")
const pkg = require("./pkg")
const data = require("./data.json")
log.info("mods", a.name, b.name, pkg.name, data.n, a.b === b, a.cycle)
for (const name of ["fs", "node:fs", "/etc/passwd", "../secret", "./lib/link", "./lib/../../secret", "missing"]) {
  try { require(name); log.info("ESCAPED", name) } catch (e) { log.info("refused", name, e.message) }
}
`,
		"lib/a.js":     `exports.name = "a"; exports.b = require("./b"); exports.cycle = require("./b").sawA`,
		"lib/b.js":     `exports.name = "b"; exports.sawA = typeof require("./a").name`,
		"pkg/index.js": `module.exports = { name: "pkg" }`,
		"data.json":    `{"n": 5}`,
	})
	if err := os.Symlink(filepath.Join(outside, "secret.js"), filepath.Join(dir, "lib", "link.js")); err != nil {
		t.Fatal(err)
	}
	s := loadScript(t, dir, "main.js", loadOpts{})
	s.log.wait(t, "mods a b pkg 5 true string")
	s.log.wait(t, "refused fs", "Node.js built-in")
	s.log.wait(t, "refused node:fs")
	s.log.wait(t, "refused /etc/passwd", "absolute")
	s.log.wait(t, "refused ../secret", "outside the bot directory")
	s.log.wait(t, "refused ./lib/link")
	s.log.wait(t, "refused ./lib/../../secret")
	s.log.wait(t, "refused missing", "cannot find module")
	for _, l := range s.log.infos() {
		if strings.Contains(l, "ESCAPED") {
			t.Fatal(l)
		}
	}
	files := s.Files()
	slices.Sort(files)
	want := []string{"data.json", "lib/a.js", "lib/b.js", "main.js", "pkg/index.js"}
	if !slices.Equal(files, want) {
		t.Fatalf("Files() = %v, want %v", files, want)
	}
}

func TestIsolationBetweenScripts(t *testing.T) {
	a := writeBot(t, map[string]string{"a.js": `Object.prototype.evil = 1; Array.prototype.push = null; globalThis.leak = "a"; JSON.parse = () => "hacked"`})
	b := writeBot(t, map[string]string{"b.js": `log.info("b", ({}).evil, typeof [].push, typeof globalThis.leak, JSON.parse("1"))`})
	loadScript(t, a, "a.js", loadOpts{})
	s := loadScript(t, b, "b.js", loadOpts{})
	s.log.wait(t, "b nil function undefined 1")
}

func TestBindingUsageErrorIsTypeError(t *testing.T) {
	dir := writeBot(t, map[string]string{"u.js": `
try { on(42) } catch (e) { log.info("sync", e.name, e.message) }
discord.get().catch((e) => log.info("async", e.name, e.message))
const cyc = {}; cyc.self = cyc
try { discord.send("1", cyc) } catch (e) { log.info("convert", e.name, e.message) }
try { discord.send("1", { content: Symbol("x") }) } catch (e) { log.info("symbol", e.name, e.message) }
`})
	s := loadScript(t, dir, "u.js", loadOpts{})
	s.log.wait(t, "sync TypeError on:")
	s.log.wait(t, "async TypeError discord.get:")
	s.log.wait(t, "convert TypeError discord.send: second argument: value nested deeper than 64 levels")
	s.log.wait(t, "symbol TypeError discord.send: second argument: cannot pass a symbol")
}

func TestCheckReportsErrors(t *testing.T) {
	e := New(engine.Limits{})
	dir := writeBot(t, map[string]string{
		"good.js": `on("MESSAGE_CREATE", () => {}); command({name: "x", description: "y"}, () => {})`,
		"bad.js":  "on('A', () => {})\nfoo(\n",
		"top.js":  "on('A', () => {})\nthrow new Error('at top')\n",
		"io.js":   "discord.send('1', 'hi').then((m) => { if (m !== null) throw new Error('not null') })\nstore.get('k').then((v) => v.x)\n",
	})
	check := func(name string) []*engine.ScriptError {
		return e.Check(context.Background(), engine.Unit{Name: name, Path: name + ".js", Dir: dir, Lang: "js"})
	}
	if errs := check("good"); len(errs) != 0 {
		t.Fatalf("good: %v", errs)
	}
	if errs := check("bad"); len(errs) != 1 || errs[0].Kind != engine.KindSyntax || errs[0].Line < 2 {
		t.Fatalf("bad: %v", errs)
	}
	if errs := check("top"); len(errs) != 1 || !strings.Contains(errs[0].Error(), "top.js:2:") {
		t.Fatalf("top: %v", errs)
	}
	// Without a platform, API calls succeed with null; misuse of the
	// result is still found.
	errs := check("io")
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "io.js:2:") || !strings.Contains(errs[0].Error(), "TypeError") {
		t.Fatalf("io: %v", errs)
	}
}

func TestCloseStopsTimersAndPending(t *testing.T) {
	checkNoLeak(t)
	dir := writeBot(t, map[string]string{"c.js": `
setInterval(() => {}, 10)
setTimeout(() => {}, 100000)
on("GO", async () => { await sleep(100000) })
`})
	s, err := tryLoad(t, dir, "c.js", loadOpts{})
	if err != nil {
		t.Fatal(err)
	}
	s.deliver(t, "GO", `{}`)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	s.Close(ctx) // gives up on the sleeping handler, cancels it
	if err := s.Deliver(&engine.Delivery{}); err == nil {
		t.Fatal("Deliver after Close succeeded")
	}
}

func TestDeterministicSources(t *testing.T) {
	dir := writeBot(t, map[string]string{"d.js": `log.info("det", new Date().toISOString(), Math.random())`})
	e := New(engine.Limits{}, WithTimeSource(func() time.Time { return time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC) }), WithRandSource(func() float64 { return 0.5 }))
	sink := newLogSink()
	bs := newTestScript("d", "d.js", sink)
	s, err := e.Load(context.Background(), engine.Unit{Name: "d", Path: "d.js", Dir: dir, Lang: "js"}, bs)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	sink.wait(t, "det 2030-01-02T03:04:05.000Z 0.5")
}

func TestPendingLimit(t *testing.T) {
	dir := writeBot(t, map[string]string{"p.js": `
const ids = []
for (let i = 0; i < 3; i++) ids.push(setTimeout(() => {}, 60000))
try { setTimeout(() => {}, 1) } catch (e) { log.info("timer", e.name, e.code) }
sleep(1).catch((e) => log.info("async", e.name, e.code))
ids.forEach(clearTimeout)
sleep(1).then(() => log.info("freed"))
console.assert(1 === 2, "math", "broke")
console.assert(true, "never logged")
`})
	s := loadScript(t, dir, "p.js", loadOpts{limits: engine.Limits{MaxPending: 3}})
	s.log.wait(t, "timer TypeError LIMIT")
	s.log.wait(t, "async TypeError LIMIT")
	s.log.wait(t, "freed")
	s.log.wait(t, "ERROR Assertion failed: math broke")
}

func TestFailedLoadDoesNotWaitForPending(t *testing.T) {
	checkNoLeak(t)
	dir := writeBot(t, map[string]string{"f.js": "sleep(3600000)\nsetTimeout(() => {}, 3600000)\nthrow new Error('late failure')\n"})
	start := time.Now()
	_, err := tryLoad(t, dir, "f.js", loadOpts{})
	if err == nil || !strings.Contains(err.Error(), "f.js:3:") {
		t.Fatalf("err = %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("failed load took %v", el)
	}
}

func TestLoadContextCancelled(t *testing.T) {
	dir := writeBot(t, map[string]string{"spin.js": "for (;;) {}\n"})
	e := New(engine.Limits{LoadCPU: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := e.Load(ctx, engine.Unit{Name: "spin", Path: "spin.js", Dir: dir, Lang: "js"}, newTestScript("spin", "spin.js", newLogSink()))
	if err == nil || !strings.Contains(err.Error(), "load cancelled") {
		t.Fatalf("err = %v", err)
	}
}
