package js

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
)

// testScript loads src as a script without starting its loop, so a test
// drives dispatch itself.
func testScript(t testing.TB, src string) *script {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "t.js", src)
	e := New(engine.Limits{}).(*jsEngine)
	bs := &bindings.Script{Name: "t", Path: "t.js", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Reg: bindings.NewRegistry(nil)}
	s, err := e.newScript(engine.Unit{Name: "t", Path: "t.js", Dir: dir, Lang: "js"}, bs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	if err := s.runTopLevel(); err != nil {
		t.Fatal(err)
	}
	return s
}

func evalString(t testing.TB, s *script, expr string) string {
	t.Helper()
	v, err := s.vm.RunString(expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v.String()
}

// TestASCIIValue checks that the engine builds goja's ASCII strings itself
// (so a goja upgrade that changes its string types is noticed), and that
// event strings read through views behave as JS strings whatever their
// text, also when kept after the handler returned and the view is gone.
func TestASCIIValue(t *testing.T) {
	s := testScript(t, `
const kept = [];
on("MESSAGE_CREATE", (msg) => {
  const c = msg.content, id = msg.channel_id, name = msg.author.username;
  kept.push({c, id, name, len: c.length, same: c === msg.content,
    eq: c === "hello there, world of bots", typ: typeof c,
    first: c.charCodeAt(0), last: c.codePointAt(c.length - 1),
    upper: c.toUpperCase(), json: JSON.stringify(c),
    key: new Map([[c, 1]]).get(String(c))});
});
globalThis.dump = (i) => JSON.stringify(kept[i]);`)
	if asciiTab == nil {
		t.Fatal("goja's ASCII string type was not found: the string fast path is off (goja changed its string types?)")
	}
	texts := []string{
		"hello there, world of bots", // ASCII, longer than goja's 16-byte limit for its own ASCII conversion
		"short",
		"",
		"héllo wörld, not ascii at all",
		"emoji 😀 and more text here",
		"tab\tnew\nline \"quoted\" back\\slash",
		"\u007f is the last ASCII character",
	}
	for i, text := range texts {
		data, err := json.Marshal(map[string]any{"content": text, "channel_id": "1234567890123456789",
			"author": map[string]any{"username": text + "!", "bot": false}})
		if err != nil {
			t.Fatal(err)
		}
		s.dispatch(&engine.Delivery{Event: bindings.Event{Name: "MESSAGE_CREATE", Data: data}})
		// The views are garbage now; the strings must outlive them.
		runtime.GC()
		for range 100 {
			s.dispatch(&engine.Delivery{Event: bindings.Event{Name: "MESSAGE_CREATE", Data: []byte(`{"content":"filler text that is ASCII","channel_id":"1","author":{"username":"x"}}`)}})
		}
		runtime.GC()
		got := evalString(t, s, "dump("+itoa(i*101)+")")
		var rec map[string]any
		if err := json.Unmarshal([]byte(got), &rec); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"c": text, "id": "1234567890123456789", "name": text + "!",
			"len": float64(utf16Len(text)), "same": true, "eq": text == "hello there, world of bots", "typ": "string"}
		for k, w := range want {
			if rec[k] != w {
				t.Errorf("text %q: %s = %#v, want %#v", text, k, rec[k], w)
			}
		}
		if text != "" && rec["key"] != float64(1) {
			t.Errorf("text %q: as a Map key: %v", text, rec["key"])
		}
		wantJSON, _ := json.Marshal(text)
		if rec["json"] != string(wantJSON) {
			t.Errorf("text %q: JSON.stringify = %v", text, rec["json"])
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r > 0xFFFF {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// TestStringMethodsMatchGoja runs the engine's startsWith and goja's own
// on the same calls (endsWith, not replaced, alongside): results and
// errors must be the same.
func TestStringMethodsMatchGoja(t *testing.T) {
	s := testScript(t, `on("X", () => {})`)
	ref := goja.New()
	calls := []string{
		`"!ping abc".startsWith("!ping ")`,
		`"!ping abc".startsWith("!done ")`,
		`"!ping".startsWith("!ping ")`,
		`"".startsWith("")`,
		`"abc".startsWith("")`,
		`"abc".endsWith("bc")`,
		`"abc".endsWith("abcd")`,
		`"abc".endsWith("")`,
		`"héllo wörld".startsWith("hé")`,
		`"héllo wörld".startsWith("he")`,
		`"héllo wörld".endsWith("wörld")`,
		`"a😀b".startsWith("a\uD83D")`,
		`"a😀b".endsWith("\uDE00b")`,
		`"a😀b".startsWith("a😀")`,
		`"a long ASCII string of more than sixteen".startsWith("a long")`,
		`"a long ASCII string of more than sixteen".endsWith("sixteen")`,
		`"abcdef".startsWith("cd", 2)`,
		`"abcdef".startsWith("cd", undefined)`,
		`"abcdef".endsWith("cd", 4)`,
		`"abc".startsWith(undefined)`,
		`"undefined".startsWith()`,
		`"null".startsWith(null)`,
		`"123".startsWith(12)`,
		`"123".endsWith(23)`,
		`new String("abc").startsWith("ab")`,
		`"abc".startsWith(new String("ab"))`,
		`"abc".startsWith({toString() { return "ab" }})`,
		`String.prototype.startsWith.call(123, "12")`,
		`String.prototype.endsWith.call(true, "ue")`,
		`"abc".startsWith(/a/)`,
		`"abc".endsWith(/c/)`,
		`String.prototype.startsWith.call(null, "a")`,
		`String.prototype.endsWith.call(undefined, "a")`,
		`"abc".startsWith(Symbol("a"))`,
		`String.prototype.startsWith.name + String.prototype.startsWith.length`,
		`String.prototype.endsWith.name + String.prototype.endsWith.length`,
		`JSON.stringify(Object.getOwnPropertyDescriptor(String.prototype, "startsWith"), ["writable", "enumerable", "configurable"])`,
		`JSON.stringify(Object.getOwnPropertyDescriptor(String.prototype.startsWith, "name"))`,
		`Object.keys(String.prototype).length`,
		`(() => { try { new String.prototype.startsWith("a") } catch (e) { return e instanceof TypeError } })()`,
	}
	for _, call := range calls {
		want, wantErr := run(ref, call)
		got, gotErr := run(s.vm, call)
		if got != want || gotErr != wantErr {
			t.Errorf("%s: got %q (error %q), goja's own gives %q (error %q)", call, got, gotErr, want, wantErr)
		}
	}
}

func run(vm *goja.Runtime, src string) (string, string) {
	v, err := vm.RunString(src)
	if err != nil {
		return "", err.Error()
	}
	return v.String(), ""
}

// TestStringMethodsOnEventText runs startsWith (and endsWith) on strings
// read from an event, which the engine builds itself.
func TestStringMethodsOnEventText(t *testing.T) {
	s := testScript(t, `
let out = [];
on("MESSAGE_CREATE", (m) => { const c = m.content;
  out.push([c.startsWith("!ping "), c.endsWith("weather"), c.startsWith("é"), c.startsWith(c), c.endsWith(c + "x")].join()) });
globalThis.out = () => out.join(";");`)
	for _, content := range []string{"!ping weather", "é is not ascii, the weather", "plain"} {
		data, _ := json.Marshal(map[string]any{"content": content})
		s.dispatch(&engine.Delivery{Event: bindings.Event{Name: "MESSAGE_CREATE", Data: data}})
	}
	want := "true,true,false,true,false;false,true,true,true,false;false,false,false,true,false"
	if got := evalString(t, s, "out()"); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// TestNestedViewsKept checks the views allocated with an event's root
// view (the first nested object) stay usable after the handler returned,
// kept alone or with the root.
func TestNestedViewsKept(t *testing.T) {
	s := testScript(t, `
const authors = [], roots = [];
const nicks = [];
on("MESSAGE_CREATE", (m) => { authors.push(m.author); nicks.push(m.member.nick); if (roots.length < 3) roots.push(m) });
globalThis.check = () => authors.map((a, i) => a.username + ":" + a.bot + ":" + nicks[i] + (i < 3 ? (roots[i].author === a) + roots[i].member.nick : "")).join(",");`)
	for i := range 50 {
		data, _ := json.Marshal(map[string]any{"content": "x", "author": map[string]any{"username": "u" + itoa(i), "bot": i%2 == 0},
			"member": map[string]any{"nick": "n" + itoa(i)}})
		s.dispatch(&engine.Delivery{Event: bindings.Event{Name: "MESSAGE_CREATE", Data: data}})
		if i%10 == 0 {
			runtime.GC()
		}
	}
	runtime.GC()
	got := evalString(t, s, "check()")
	want := ""
	for i := range 50 {
		if i > 0 {
			want += ","
		}
		want += "u" + itoa(i) + ":" + strconv.FormatBool(i%2 == 0) + ":n" + itoa(i)
		if i < 3 {
			want += "truen" + itoa(i)
		}
	}
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// TestIsASCII puts one non-ASCII byte at every position of strings of
// every length around the 8- and 32-byte steps.
func TestIsASCII(t *testing.T) {
	for n := 0; n <= 70; n++ {
		b := []byte(strings.Repeat("a", n))
		if !isASCII(string(b)) {
			t.Fatalf("length %d, all ASCII: false", n)
		}
		for i := range b {
			for _, c := range []byte{0x80, 0xc3, 0xff} {
				b[i] = c
				if isASCII(string(b)) {
					t.Fatalf("length %d, byte %#x at %d: true", n, c, i)
				}
				b[i] = 0x7f
				if !isASCII(string(b)) {
					t.Fatalf("length %d, 0x7f at %d: false", n, i)
				}
				b[i] = 'a'
			}
		}
	}
}

// TestMethodSetLookup checks the method filter against the plain map for
// every kind's method names and for data field names.
func TestMethodSetLookup(t *testing.T) {
	fields := []string{"", "a", "id", "author", "content", "channel_id", "guild_id", "member", "mentions",
		"reply", "react", "edit", "delete", "replied", "respond", "defer", "followup", "data", "options"}
	for _, kind := range bindings.MethodKinds() {
		fns := bindings.Methods(kind)
		m := newMethodSet(kind, fns)
		keys := append([]string(nil), fields...)
		for k := range fns {
			keys = append(keys, k, k+"x", strings.ToUpper(k))
		}
		for _, k := range keys {
			want, wantOK := fns[k]
			got, ok := m.lookup(k)
			if ok != wantOK || got.Name != want.Name {
				t.Errorf("%s: lookup(%q) = %q, %v; the map has %q, %v", kind, k, got.Name, ok, want.Name, wantOK)
			}
		}
	}
	if _, ok := (*methodSet)(nil).lookup("reply"); ok {
		t.Error("a view without methods found one")
	}
}

// TestViewCacheGrows reads more fields of one view than it caches inline,
// twice, in a different order: values are the same and containers the
// same objects each time.
func TestViewCacheGrows(t *testing.T) {
	s := testScript(t, `
let out = "";
on("E", (m) => {
  const keys = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"];
  const first = keys.map((k) => m[k]);
  const again = keys.slice().reverse().map((k) => m[k]).reverse();
  out = keys.map((k, i) => k + "=" + (first[i] && typeof first[i] === "object" ? first[i].x : first[i]) + ":" + (first[i] === again[i])).join(",");
});
globalThis.out = () => out;`)
	data := `{"a":"one","b":{"x":1},"c":"three é","d":{"x":2},"e":5,"f":"six","g":{"x":3},"h":true,"i":"nine","j":{"x":4},"k":null,"l":"twelve"}`
	s.dispatch(&engine.Delivery{Event: bindings.Event{Name: "E", Data: []byte(data)}})
	want := "a=one:true,b=1:true,c=three é:true,d=2:true,e=5:true,f=six:true,g=3:true,h=true:true,i=nine:true,j=4:true,k=null:true,l=twelve:true"
	if got := evalString(t, s, "out()"); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// FuzzStartsWith compares the engine's startsWith with goja's own on
// arbitrary strings, as event fields (built by the engine) and as values
// goja converted itself.
func FuzzStartsWith(f *testing.F) {
	for _, seed := range [][2]string{
		{"!ping abc", "!ping "}, {"héllo", "hé"}, {"a😀b", "a\xf0\x9f"}, {"", ""}, {"abc", "abcd"},
		{"\xff\xfe", "\xff"}, {"a long ASCII string of more than sixteen", "a long ASCII"},
	} {
		f.Add(seed[0], seed[1])
	}
	s := testScript(f, `on("E", (e) => { globalThis.got = e.s.startsWith(e.p) + "," + e.s.startsWith(p) })`)
	ref := goja.New()
	f.Fuzz(func(t *testing.T, str, pre string) {
		data, err := json.Marshal(map[string]string{"s": str, "p": pre})
		if err != nil {
			t.Skip()
		}
		if err := s.vm.Set("p", pre); err != nil {
			t.Fatal(err)
		}
		s.dispatch(&engine.Delivery{Event: bindings.Event{Name: "E", Data: data}})
		got := s.vm.Get("got").String()
		// goja's own on the same strings, decoded the same way.
		var back map[string]string
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		ref.Set("s", back["s"])
		ref.Set("p1", back["p"])
		ref.Set("p2", pre)
		want, err := ref.RunString(`s.startsWith(p1) + "," + s.startsWith(p2)`)
		if err != nil {
			t.Fatal(err)
		}
		if got != want.String() {
			t.Fatalf("startsWith(%q, %q): engine %s, goja %s", str, pre, got, want)
		}
	})
}
