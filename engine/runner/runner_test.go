package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/js"
	"github.com/botrun/botrun/engine/lua"
)

const luaEcho = `on("MESSAGE_CREATE", function(m) log.info("%s:" .. m.content) end)` + "\n"
const jsEcho = `on("MESSAGE_CREATE", (m) => { log.info("%s:" + m.content); });` + "\n"

func TestFanOutMixedLanguages(t *testing.T) {
	f := newFixture(t, map[string]string{
		"a.lua":        fmt.Sprintf(luaEcho, "a"),
		"b.js":         fmt.Sprintf(jsEcho, "b"),
		"c/init.lua":   `local u = require("c.util")` + "\n" + `on("*", function(name, d) log.info(u.tag .. name) end)` + "\n",
		"c/util.lua":   `return { tag = "star:" }` + "\n",
		"quiet.lua":    `on("GUILD_CREATE", function() log.info("quiet got it") end)` + "\n",
		"modules/x.js": `module.exports = 1;`,
	}, false)
	if got := strings.Join(f.r.Scripts(), ","); got != "a,b,c,quiet" {
		t.Fatalf("scripts = %s", got)
	}
	f.message("hello")
	f.log.waitFor(t, 1, "[a]", "a:hello")
	f.log.waitFor(t, 1, "[b]", "b:hello")
	f.log.waitFor(t, 1, "[c]", "star:MESSAGE_CREATE")
	if n := f.log.count("quiet got it"); n != 0 {
		t.Errorf("quiet got %d deliveries", n)
	}
	// Aliases reach scripts subscribed under the other name.
	f.r.Dispatch(bindings.Event{Name: "MESSAGE_POSTED", Aliases: []string{"MESSAGE_CREATE"}, Data: []byte(`{"content":"via alias"}`)})
	f.log.waitFor(t, 1, "[a]", "a:via alias")
	evs := <-f.evCh
	if want := []string{"*", "GUILD_CREATE", "MESSAGE_CREATE"}; !slices.Equal(evs, want) {
		t.Errorf("OnEvents = %v, want %v", evs, want)
	}
}

func TestBadScriptDoesNotStopOthers(t *testing.T) {
	f := newFixture(t, map[string]string{
		"good.lua":   fmt.Sprintf(luaEcho, "good"),
		"broken.lua": "on(\"MESSAGE_CREATE\", function(m)\n  if then\nend)\n",
		"throws.js":  "const x = 1;\nnull.boom;\n",
	}, false)
	if got := strings.Join(f.r.Scripts(), ","); got != "good" {
		t.Fatalf("scripts = %s", got)
	}
	var failed []string
	for len(failed) < 2 {
		ev := <-f.loads.ch
		if ev.Err != nil {
			var se *engine.ScriptError
			if !errors.As(ev.Err, &se) || se.Line == 0 {
				t.Errorf("%s: error %v has no position", ev.Unit.Name, ev.Err)
			}
			failed = append(failed, ev.Unit.Name)
		}
	}
	slices.Sort(failed)
	if strings.Join(failed, ",") != "broken,throws" {
		t.Errorf("failed = %v", failed)
	}
	f.log.waitFor(t, 1, "[broken]", "frame=", "^")
	f.message("still")
	f.log.waitFor(t, 1, "[good]", "good:still")
}

func TestCommandsAndRouting(t *testing.T) {
	f := newFixture(t, map[string]string{
		"ping.lua": `command({name="echo", description="Say it back"}, function(ix) log.info("echo by ping") end)` + "\n",
		"other.js": `command({name: "other", description: "x"}, (ix) => { log.info("other by js"); });` + "\n",
	}, false)
	cmds := <-f.cmdCh
	var names []string
	for _, c := range cmds {
		names = append(names, c.Script+"/"+c.Spec["name"].(string))
	}
	if strings.Join(names, ",") != "other/other,ping/echo" {
		t.Fatalf("commands = %v", names)
	}
	ix := []byte(`{"id":"9","token":"t","type":2,"data":{"name":"echo"}}`)
	f.r.Dispatch(bindings.Event{Name: "INTERACTION_CREATE", Data: ix, Route: &bindings.Route{Kind: "command", Key: "echo"}})
	f.log.waitFor(t, 1, "[ping]", "echo by ping")
	if owner, ok := f.r.Owner(bindings.Route{Kind: "command", Key: "other"}); !ok || owner != "other" {
		t.Errorf("Owner(other) = %q, %v", owner, ok)
	}
	if f.log.count("other by js") != 0 {
		t.Error("routed event reached the wrong script")
	}
}

func TestFullQueueHoldsDispatchAndLosesNothing(t *testing.T) {
	f := newFixture(t, map[string]string{
		// JS scripts get a tiny queue, Lua ones a roomy one. The slow
		// script logs every event, so order and completeness show.
		"slow.js":  `on("MESSAGE_CREATE", (m) => { const end = Date.now() + 10; while (Date.now() < end) {} log.info("slow got " + m.content); });` + "\n",
		"fast.lua": `local n = 0` + "\n" + `on("MESSAGE_CREATE", function(m) n = n + 1; if m.content == "last" then log.info("fast saw " .. n) end end)` + "\n",
	}, false, func(c *Config) {
		c.Engines = []engine.Engine{
			lua.New(engine.Limits{QueueSize: 1000}),
			js.New(engine.Limits{QueueSize: 2, CPU: 5 * time.Second}),
		}
	})
	const n = 30
	for i := 0; i < n; i++ {
		f.message(fmt.Sprint(i))
	}
	f.message("last")
	f.log.waitFor(t, 1, "[fast]", "fast saw 31")
	f.log.waitFor(t, 1, "[slow]", "slow got last")
	var got []string
	for _, l := range f.log.lines("[slow]", "slow got ") {
		got = append(got, strings.Fields(l[strings.Index(l, "slow got ")+len("slow got "):])[0])
	}
	if len(got) != n+1 {
		t.Fatalf("slow script got %d of %d events: %v", len(got), n+1, got)
	}
	for i := 0; i < n; i++ {
		if got[i] != fmt.Sprint(i) {
			t.Fatalf("event %d arrived as %q: %v", i, got[i], got)
		}
	}
	if f.log.count("dropped") != 0 {
		t.Error("an event was dropped")
	}
	f.log.waitFor(t, 1, "[slow]", "slower than its events arrive", "waited=")
}

func TestHotReload(t *testing.T) {
	f := newFixture(t, map[string]string{
		"a.lua":      fmt.Sprintf(luaEcho, "v1"),
		"b.js":       fmt.Sprintf(jsEcho, "js1"),
		"m/init.lua": `local u = require("m.util")` + "\n" + `on("MESSAGE_CREATE", function(x) log.info(u.word .. ":" .. x.content) end)` + "\n",
		"m/util.lua": `return { word = "mod1" }` + "\n",
	}, true)
	f.message("one")
	f.log.waitFor(t, 1, "v1:one")

	t.Run("save", func(t *testing.T) {
		f.write("a.lua", fmt.Sprintf(luaEcho, "v2"))
		if ev := f.loads.next(t, "a"); ev.Err != nil || !ev.Reload || ev.Generation != 2 {
			t.Fatalf("reload: %+v", ev)
		}
		f.message("two")
		f.log.waitFor(t, 1, "v2:two")
		if f.log.count("v1:two") != 0 {
			t.Error("old generation handled an event after the swap")
		}
	})
	t.Run("syntax error keeps old version", func(t *testing.T) {
		f.write("a.lua", "on(\"MESSAGE_CREATE\", function(m)\n  log.info(\"v3\" ..)\nend)\n")
		ev := f.loads.next(t, "a")
		var se *engine.ScriptError
		if !errors.As(ev.Err, &se) || se.Path != "a.lua" || se.Line != 2 {
			t.Fatalf("want a.lua:2 error, got %+v", ev)
		}
		f.log.waitFor(t, 1, "reload failed", "a.lua:2:")
		f.message("three")
		f.log.waitFor(t, 1, "v2:three")
	})
	t.Run("atomic save by rename", func(t *testing.T) {
		tmp := filepath.Join(f.dir, ".a.lua.tmp123")
		os.WriteFile(tmp, []byte(fmt.Sprintf(luaEcho, "v4")), 0o644)
		if err := os.Rename(tmp, filepath.Join(f.dir, "a.lua")); err != nil {
			t.Fatal(err)
		}
		if ev := f.loads.next(t, "a"); ev.Err != nil {
			t.Fatal(ev.Err)
		}
		f.message("four")
		f.log.waitFor(t, 1, "v4:four")
	})
	t.Run("js", func(t *testing.T) {
		f.write("b.js", fmt.Sprintf(jsEcho, "js2"))
		if ev := f.loads.next(t, "b"); ev.Err != nil {
			t.Fatal(ev.Err)
		}
		f.message("five")
		f.log.waitFor(t, 1, "js2:five")
	})
	t.Run("module change reloads its users", func(t *testing.T) {
		f.write("m/util.lua", `return { word = "mod2" }`+"\n")
		if ev := f.loads.next(t, "m"); ev.Err != nil {
			t.Fatal(ev.Err)
		}
		f.message("six")
		f.log.waitFor(t, 1, "mod2:six")
	})
	t.Run("new folder script", func(t *testing.T) {
		os.MkdirAll(filepath.Join(f.dir, "newbie"), 0o755)
		f.write("newbie/index.js", fmt.Sprintf(jsEcho, "newbie"))
		if ev := f.loads.next(t, "newbie"); ev.Err != nil {
			t.Fatal(ev.Err)
		}
		f.message("seven")
		f.log.waitFor(t, 1, "newbie:seven")
	})
	t.Run("delete unloads", func(t *testing.T) {
		os.Remove(filepath.Join(f.dir, "b.js"))
		if ev := f.loads.next(t, "b"); !ev.Unloaded {
			t.Fatalf("want unload, got %+v", ev)
		}
		if slices.Contains(f.r.Scripts(), "b") {
			t.Fatal("b still loaded")
		}
		f.message("eight")
		f.log.waitFor(t, 1, "v4:eight")
		if f.log.count("js2:eight") != 0 {
			t.Error("deleted script still handles events")
		}
	})
}

// TestReloadLosesNothing dispatches a steady stream of numbered events while
// the script is reloaded several times: every event must be handled exactly
// once, by one generation or the other.
func TestReloadLosesNothing(t *testing.T) {
	src := `on("MESSAGE_CREATE", function(m) log.info("gen%d seq=" .. m.content) end)` + "\n"
	f := newFixture(t, map[string]string{"a.lua": fmt.Sprintf(src, 1)}, true)
	const total = 400
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < total; i++ {
			f.message(fmt.Sprint(i))
			if i%50 == 0 {
				time.Sleep(time.Millisecond) // spread events over the reloads
			}
		}
	}()
	for g := 2; g <= 4; g++ {
		f.write("a.lua", fmt.Sprintf(src, g))
		if ev := f.loads.next(t, "a"); ev.Err != nil {
			t.Fatal(ev.Err)
		}
	}
	<-done
	f.log.waitFor(t, total, "seq=")
	seen := map[string]int{}
	for _, l := range f.log.snapshot() {
		if i := strings.Index(l, "seq="); i >= 0 {
			seen[strings.Fields(l[i:])[0]]++
		}
	}
	for i := 0; i < total; i++ {
		if n := seen[fmt.Sprintf("seq=%d", i)]; n != 1 {
			t.Errorf("event %d handled %d times", i, n)
		}
	}
}

func TestFolderScriptRemovedAsWhole(t *testing.T) {
	f := newFixture(t, map[string]string{"bot/init.lua": fmt.Sprintf(luaEcho, "bot"), "keep.lua": fmt.Sprintf(luaEcho, "keep")}, true)
	if err := os.RemoveAll(filepath.Join(f.dir, "bot")); err != nil {
		t.Fatal(err)
	}
	if ev := f.loads.next(t, "bot"); !ev.Unloaded {
		t.Fatalf("want unload, got %+v", ev)
	}
	// Moving a folder script in from elsewhere loads it.
	other := t.TempDir()
	writeTree(t, other, map[string]string{"moved/index.js": fmt.Sprintf(jsEcho, "moved")})
	if err := os.Rename(filepath.Join(other, "moved"), filepath.Join(f.dir, "moved")); err != nil {
		t.Fatal(err)
	}
	if ev := f.loads.next(t, "moved"); ev.Err != nil || ev.Unloaded {
		t.Fatalf("want load, got %+v", ev)
	}
	f.message("m")
	f.log.waitFor(t, 1, "moved:m")
	f.log.waitFor(t, 1, "keep:m")
}

// TestRoutedMalformedDataIsReported: an interaction whose data is not
// valid JSON is dropped by either engine, which still reports it through
// OnError so that the host answers the user.
func TestRoutedMalformedDataIsReported(t *testing.T) {
	f := newFixture(t, map[string]string{
		"a.lua": `command({name="one", description="x"}, function(ix) log.info("ran one") end)` + "\n",
		"b.js":  `command({name: "two", description: "x"}, (ix) => { log.info("ran two"); });` + "\n",
	}, false)
	for i, tt := range []struct{ script, command, path string }{{"a", "one", "a.lua"}, {"b", "two", "b.js"}} {
		errs := make(chan *engine.ScriptError, 1)
		ev := bindings.Event{Name: "INTERACTION_CREATE", Data: []byte(`{"id":"1","type":2,"data":`),
			Route: &bindings.Route{Kind: "command", Key: tt.command}}
		if !f.r.DispatchTo(tt.script, ev, func(se *engine.ScriptError) { errs <- se }) {
			t.Fatalf("DispatchTo(%s) = false", tt.script)
		}
		select {
		case se := <-errs:
			if !strings.Contains(se.Message, "not valid JSON") || se.Path != tt.path {
				t.Errorf("%s: OnError got %+v", tt.path, se)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: OnError not called for malformed data", tt.path)
		}
		f.log.waitFor(t, i+1, "dropping event with malformed data", "INTERACTION_CREATE")
	}
	if n := f.log.count("ran "); n != 0 {
		t.Errorf("a handler ran %d time(s) on malformed data", n)
	}
}

func TestDispatchToReportsHandlerErrors(t *testing.T) {
	f := newFixture(t, map[string]string{
		"a.lua": `command({name="boom", description="x"}, function(ix) error("kaboom") end)` + "\n" +
			`component("btn:", function(ix) end)` + "\n",
		"b.js": `command({name: "boom", description: "x"}, (ix) => { log.info("b got boom"); });` + "\n",
	}, false)
	errs := make(chan *engine.ScriptError, 1)
	ev := bindings.Event{Name: "INTERACTION_CREATE", Data: []byte(`{"id":"1","type":2,"data":{"name":"boom"}}`),
		Route: &bindings.Route{Kind: "command", Key: "boom"}}
	if !f.r.DispatchTo("a", ev, func(se *engine.ScriptError) { errs <- se }) {
		t.Fatal("DispatchTo(a) = false")
	}
	select {
	case se := <-errs:
		if !strings.Contains(se.Message, "kaboom") || se.Path != "a.lua" {
			t.Errorf("OnError got %+v", se)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("OnError not called for a failing handler")
	}
	if f.log.count("b got boom") != 0 {
		t.Error("the other script with the same command name got the event")
	}
	if f.r.DispatchTo("nope", ev, nil) {
		t.Error("DispatchTo an unknown script = true")
	}
	routes := f.r.Routes()
	if len(routes["a"]) != 1 || routes["a"][0] != (bindings.Route{Kind: "component", Key: "btn:"}) || len(routes["b"]) != 0 {
		t.Errorf("Routes() = %v", routes)
	}
}

// TestCloseReleasesAWaitingDispatch: a Dispatch held by a full queue
// returns once the runner closes, so shutdown never hangs on it.
func TestCloseReleasesAWaitingDispatch(t *testing.T) {
	f := newFixture(t, map[string]string{
		"slow.js": `on("MESSAGE_CREATE", (m) => { const end = Date.now() + 50; while (Date.now() < end) {} });` + "\n",
	}, false, func(c *Config) {
		c.Engines = []engine.Engine{js.New(engine.Limits{QueueSize: 1, CPU: 5 * time.Second})}
	})
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		for i := 0; i < 200; i++ { // 10 s of handler time: only Close ends this early
			f.message(fmt.Sprint(i))
		}
	}()
	f.log.waitFor(t, 1, "[slow]", "slower than its events arrive")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := f.r.Close(ctx); err != nil {
		t.Logf("close: %v", err) // handlers still queued may be cut short
	}
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("Dispatch still waiting after Close")
	}
	if el := time.Since(start); el > 4*time.Second {
		t.Fatalf("Close took %v", el)
	}
}

// TestReloadWhileDispatchWaits: a script reloaded while Dispatch waits for
// room in its queue gets the event in its new version; every event is
// handled exactly once, by one version or the other.
func TestReloadWhileDispatchWaits(t *testing.T) {
	const slow = `on("MESSAGE_CREATE", (m) => { const end = Date.now() + 20; while (Date.now() < end) {} log.info("%s got " + m.content); });` + "\n"
	f := newFixture(t, map[string]string{"slow.js": fmt.Sprintf(slow, "v1")}, true, func(c *Config) {
		c.Engines = []engine.Engine{js.New(engine.Limits{QueueSize: 1, CPU: 5 * time.Second})}
	})
	const n = 40
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		for i := 0; i < n; i++ {
			f.message(fmt.Sprint(i))
		}
	}()
	f.log.waitFor(t, 1, "[slow]", "slower than its events arrive")
	f.write("slow.js", fmt.Sprintf(slow, "v2"))
	if ev := f.loads.next(t, "slow"); ev.Err != nil || !ev.Reload {
		t.Fatalf("reload: %+v", ev)
	}
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("Dispatch did not finish")
	}
	f.log.waitFor(t, 1, "v2 got ")
	seen := map[string]int{}
	deadline := time.Now().Add(10 * time.Second)
	for len(seen) < n && time.Now().Before(deadline) {
		seen = map[string]int{}
		for _, l := range f.log.lines(" got ") {
			seen[strings.Fields(l[strings.Index(l, " got ")+5:])[0]]++
		}
		if len(seen) < n {
			f.log.waitFor(t, len(f.log.lines(" got "))+1, " got ")
		}
	}
	for i := 0; i < n; i++ {
		if c := seen[fmt.Sprint(i)]; c != 1 {
			t.Errorf("event %d handled %d times", i, c)
		}
	}
}

// TestDispatchDoesNotKeepTheCallersBuffer dispatches every event out of one
// buffer, overwritten as soon as Dispatch returns (as the gateway reuses
// its read buffer): handlers that run later still see their own event.
func TestDispatchDoesNotKeepTheCallersBuffer(t *testing.T) {
	f := newFixture(t, map[string]string{
		"a.lua": `on("MESSAGE_CREATE", function(m) log.info("a:" .. m.content .. "/" .. m.author.username) end)` + "\n",
		"b.js":  `on("MESSAGE_CREATE", (m) => { log.info("b:" + m.content + "/" + m.author.username); });` + "\n",
	}, false)
	const n = 200
	var buf []byte
	for i := range n {
		buf = fmt.Appendf(buf[:0], `{"id":"%d","channel_id":"2","content":"m%d %s","author":{"id":"3","username":"u%d"}}`,
			i, i, strings.Repeat("x", (i*7)%50), i)
		f.r.Dispatch(bindings.Event{Name: "MESSAGE_CREATE", Data: buf})
		for j := range buf {
			buf[j] = '#'
		}
	}
	for i := range n {
		want := fmt.Sprintf("m%d %s/u%d", i, strings.Repeat("x", (i*7)%50), i)
		f.log.waitFor(t, 1, "[a]", "a:"+want)
		f.log.waitFor(t, 1, "[b]", "b:"+want)
	}
	if got := f.log.count("#"); got != 0 {
		t.Errorf("%d log lines show the overwritten buffer", got)
	}
}

// TestUnwantedEventsAreNotParsed: an event no script subscribes to is not
// parsed at all (its malformed data goes unreported); one a script wants
// is, and its malformed data is reported.
func TestUnwantedEventsAreNotParsed(t *testing.T) {
	f := newFixture(t, map[string]string{"a.lua": fmt.Sprintf(luaEcho, "a")}, false)
	f.r.Dispatch(bindings.Event{Name: "GUILD_CREATE", Data: []byte(`{"unparsed":`)})
	f.r.Dispatch(bindings.Event{Name: "MESSAGE_CREATE", Data: []byte(`{"bad":`)})
	f.log.waitFor(t, 1, "dropping event with malformed data", "MESSAGE_CREATE")
	if n := f.log.count("dropping event with malformed data", "GUILD_CREATE"); n != 0 {
		t.Errorf("an event no script wants was parsed (%d reports)", n)
	}
}

// TestBadLanguageWithoutEngineSaysWhy: a script whose language this build
// has no engine for fails to load with the host's explanation; the others
// run.
func TestBadLanguageWithoutEngineSaysWhy(t *testing.T) {
	f := newFixture(t, map[string]string{"a.js": fmt.Sprintf(jsEcho, "a"), "b.lua": fmt.Sprintf(luaEcho, "b")}, false,
		func(c *Config) {
			c.Engines = c.Engines[:1] // Lua only
			c.NoEngine = func(lang string) string { return "this build has no " + lang }
		})
	if ev := f.loads.next(t, "a"); ev.Err == nil || !strings.Contains(ev.Err.Error(), "this build has no js") {
		t.Errorf("load of a.js: %v, want the host's explanation", ev.Err)
	}
	f.message("still here")
	f.log.waitFor(t, 1, "[b]", "b:still here")
}
