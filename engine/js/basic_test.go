package js

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/botrun/botrun/engine"
)

func TestHandlerReadsLazyEvent(t *testing.T) {
	dir := writeBot(t, map[string]string{"ping.js": `
on("MESSAGE_CREATE", (m) => {
  log.info("got", m.content, m.author.bot, m.mentions.length, m.author === m.author, typeof m.reply)
  log.info("big", typeof m.big, m.big, "ratio", m.ratio, "ref", m.referenced_message === null)
  log.info("keys", Object.keys(m).includes("reply"), Object.keys(m).length)
  const copy = {...m}
  copy.content = "changed"
  log.info("spread", copy.content, m.content === "!ping hello <@1300000000000000001>")
  log.info("json", JSON.stringify(m.author))
})
`})
	s := loadScript(t, dir, "ping.js", loadOpts{})
	s.deliver(t, "MESSAGE_CREATE", messageCreate(t))
	s.log.wait(t, "got !ping hello <@1300000000000000001> false 1 true function")
	s.log.wait(t, "big string 12345678901234567890 ratio 0.25 ref true")
	s.log.wait(t, "keys false 22")
	s.log.wait(t, "spread changed true")
	s.log.wait(t, `json {"username":"alice","public_flags":64,"id":"1000000000000000009","global_name":"Alice","discriminator":"0","clan":null,"avatar_decoration_data":null,"avatar":"a_0123456789abcdef0123456789abcdef","bot":false}`)
}

func TestEventViewIsReadOnly(t *testing.T) {
	dir := writeBot(t, map[string]string{"ro.js": `
on("X", (d) => {
  "use strict"
  try { d.a = 2; log.info("wrote") } catch (e) { log.info("set:", e.name) }
  try { d.list.push(3); log.info("pushed") } catch (e) { log.info("push:", e.name) }
  try { delete d.a; log.info("deleted", d.a) } catch (e) { log.info("delete:", e.name) }
  log.info("after", d.a, d.list.length, Array.isArray(d.list), d.list.map(x => x * 2).join("+"))
})
`})
	s := loadScript(t, dir, "ro.js", loadOpts{})
	s.deliver(t, "X", `{"a":1,"list":[1,2]}`)
	s.log.wait(t, "set: TypeError")
	s.log.wait(t, "push: TypeError")
	s.log.wait(t, "after 1 2 true 2+4")
}

func TestSyntaxErrorLocated(t *testing.T) {
	dir := writeBot(t, map[string]string{"bad.js": "const a = 1\nlet b = (\n"})
	_, err := tryLoad(t, dir, "bad.js", loadOpts{})
	var se *engine.ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("want ScriptError, got %v", err)
	}
	if se.Kind != engine.KindSyntax || se.Path != "bad.js" || se.Line != 3 {
		t.Fatalf("got %+v (%v)", se, se)
	}
	if !strings.HasPrefix(se.Error(), "bad.js:3:") || !strings.Contains(se.Error(), "SyntaxError") {
		t.Fatalf("error text %q", se.Error())
	}
}

func TestSyntaxErrorOnFirstLineColumn(t *testing.T) {
	dir := writeBot(t, map[string]string{"bad.js": "let x = = 1\n"})
	_, err := tryLoad(t, dir, "bad.js", loadOpts{})
	var se *engine.ScriptError
	if !errors.As(err, &se) || se.Line != 1 || se.Col != 9 {
		t.Fatalf("want bad.js:1:9, got %v", err)
	}
}

func TestTopLevelErrorLocated(t *testing.T) {
	dir := writeBot(t, map[string]string{"top.js": "log.info('x')\n\nnull.foo\n"})
	_, err := tryLoad(t, dir, "top.js", loadOpts{})
	var se *engine.ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("want ScriptError, got %v", err)
	}
	if se.Kind != engine.KindLoad || se.Line != 3 || !strings.Contains(se.Message, "TypeError") {
		t.Fatalf("got %+v", se)
	}
	if !strings.HasPrefix(se.Error(), "top.js:3:") {
		t.Fatalf("error %q", se.Error())
	}
}

func TestHandlerErrorLoggedAndScriptContinues(t *testing.T) {
	dir := writeBot(t, map[string]string{"h.js": `
on("A", () => {
  undefinedFunction()
})
on("A", () => log.info("second handler ran"))
on("B", () => log.info("next event ran"))
`})
	s := loadScript(t, dir, "h.js", loadOpts{})
	s.deliver(t, "A", `{}`)
	s.deliver(t, "B", `{}`)
	line := s.log.wait(t, "script error", "h.js:3:", "ReferenceError: undefinedFunction is not defined")
	if !strings.Contains(line, "kind=handler") {
		t.Fatalf("record %q", line)
	}
	s.log.wait(t, "second handler ran")
	s.log.wait(t, "next event ran")
}

func TestCPUBudgetThenNextEvent(t *testing.T) {
	checkNoLeak(t)
	dir := writeBot(t, map[string]string{"spin.js": `
on("SPIN", () => {
  let i = 0
  while (true) { i++ }
})
on("NEXT", () => log.info("served"))
`})
	s := loadScript(t, dir, "spin.js", loadOpts{limits: engine.Limits{CPU: 50 * time.Millisecond}})
	start := time.Now()
	s.deliver(t, "SPIN", `{}`)
	s.deliver(t, "NEXT", `{}`)
	s.log.wait(t, "spin.js:4:", "handler exceeded its CPU budget of 50ms", "kind=limit")
	s.log.wait(t, "served")
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("took %v", el)
	}
}

func TestLoadBudget(t *testing.T) {
	dir := writeBot(t, map[string]string{"slow.js": "for (;;) {}\n"})
	_, err := tryLoad(t, dir, "slow.js", loadOpts{limits: engine.Limits{LoadCPU: 30 * time.Millisecond}})
	var se *engine.ScriptError
	if !errors.As(err, &se) || se.Kind != engine.KindLimit || !strings.Contains(se.Error(), "slow.js:1:") ||
		!strings.Contains(se.Error(), "load exceeded its CPU budget of 30ms") {
		t.Fatalf("got %v", err)
	}
}

func TestCPUBudgetSpansAwait(t *testing.T) {
	// Time waiting in sleep does not count; time running does, across
	// the await.
	dir := writeBot(t, map[string]string{"a.js": `
on("GO", async () => {
  await sleep(100)
  log.info("woke")
  const end = Date.now() + 5000
  while (Date.now() < end) {}
  log.info("not reached")
})
`})
	s := loadScript(t, dir, "a.js", loadOpts{limits: engine.Limits{CPU: 60 * time.Millisecond}})
	s.deliver(t, "GO", `{}`)
	s.log.wait(t, "woke")
	s.log.wait(t, "handler exceeded its CPU budget of 60ms")
	for _, l := range s.log.infos() {
		if strings.Contains(l, "not reached") {
			t.Fatal("handler ran past its budget")
		}
	}
}

func TestStackOverflow(t *testing.T) {
	dir := writeBot(t, map[string]string{"rec.js": `
function f(n) { return f(n + 1) + 1 }
on("GO", () => f(0))
on("AFTER", () => log.info("alive"))
`})
	s := loadScript(t, dir, "rec.js", loadOpts{})
	s.deliver(t, "GO", `{}`)
	s.deliver(t, "AFTER", `{}`)
	s.log.wait(t, "rec.js:2:", "call stack exceeded 1000 frames")
	s.log.wait(t, "alive")
}

func TestStarHandlerAndAliases(t *testing.T) {
	dir := writeBot(t, map[string]string{"star.js": `
on("*", (name, d) => log.info("star", name, d.n))
on("DM_MESSAGE_CREATE", (d) => log.info("alias", d.n))
once("ONCE", () => log.info("once"))
const h = on("OFF", () => log.info("should not run"))
h.off()
`})
	s := loadScript(t, dir, "star.js", loadOpts{})
	s.deliverEvent(t, eventWithAlias("MESSAGE_CREATE", `{"n":7}`, "DM_MESSAGE_CREATE"))
	s.deliver(t, "ONCE", `{}`)
	s.deliver(t, "ONCE", `{}`)
	s.deliver(t, "OFF", `{}`)
	s.deliver(t, "END", `{"n":1}`)
	s.log.wait(t, "star END 1")
	got := strings.Join(s.log.infos(), "|")
	want := "alias 7|star MESSAGE_CREATE 7|once|star ONCE nil|star ONCE nil|star OFF nil|star END 1"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestConsoleGoesToLogger(t *testing.T) {
	dir := writeBot(t, map[string]string{"c.js": `console.log("hello", {a: 1}, [1, 2], null); console.error(new TypeError("bad"))`})
	s := loadScript(t, dir, "c.js", loadOpts{})
	s.log.wait(t, `INFO hello {"a":1} [1,2] null`)
	s.log.wait(t, "ERROR TypeError: bad")
}

func TestConfigAndBot(t *testing.T) {
	dir := writeBot(t, map[string]string{"cfg.js": `console.log("cfg", config.prefix, config.n, bot.user, bot.application_id)`})
	s := loadScript(t, dir, "cfg.js", loadOpts{config: map[string]any{"prefix": "!", "n": int64(3)}})
	s.log.wait(t, "cfg ! 3 null null")
}
