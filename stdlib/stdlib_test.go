package stdlib

import (
	"bytes"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/gopher-lua/parse"

	"github.com/botrun/botrun/bindings"
)

// typeName is the class/interface declaring the methods of an object kind.
func typeName(kind string) string {
	return strings.ToUpper(kind[:1]) + kind[1:]
}

// block returns the text from the line matching start to the next line
// that is a lone closing brace.
func block(src, start string) (string, bool) {
	i := strings.Index(src, start)
	if i < 0 {
		return "", false
	}
	rest := src[i:]
	if j := strings.Index(rest, "\n}"); j >= 0 {
		return rest[:j], true
	}
	return rest, true
}

// tsScope finds where namespace ns's members are declared: a declare
// namespace, or the interface of a declare const.
func tsScope(t *testing.T, src, ns string) string {
	t.Helper()
	if b, ok := block(src, "declare namespace "+ns+" {"); ok {
		return b
	}
	m := regexp.MustCompile(`declare const ` + ns + `: (\w+);`).FindStringSubmatch(src)
	if m == nil {
		t.Fatalf("botrun.d.ts declares no namespace or const %q", ns)
	}
	b, ok := block(src, "interface "+m[1]+" {")
	if !ok {
		t.Fatalf("botrun.d.ts: interface %s of %s not found", m[1], ns)
	}
	return b
}

func declares(scope, name string) bool {
	return regexp.MustCompile(`(?m)^\s*(function\s+)?` + regexp.QuoteMeta(name) + `(<[^>]*>)?\(`).MatchString(scope)
}

// Every binding and method must be declared in both type files, so the
// editor types cannot drift from the API.
func TestTypeFilesCoverTheAPI(t *testing.T) {
	files := TypeFiles()
	ts, lua := string(files[TSFile]), string(files[LuaFile])
	if !strings.HasPrefix(lua, "---@meta") {
		t.Error("botrun.lua must start with ---@meta so LuaLS treats it as definitions")
	}
	for _, f := range bindings.Globals() {
		if !strings.Contains(lua, "\nfunction "+f.Name+"(") {
			t.Errorf("botrun.lua does not declare function %s", f.Name)
		}
		ns, name, dotted := strings.Cut(f.Name, ".")
		if !dotted {
			if !strings.Contains(ts, "declare function "+f.Name+"(") {
				t.Errorf("botrun.d.ts does not declare function %s", f.Name)
			}
			continue
		}
		if !declares(tsScope(t, ts, ns), name) {
			t.Errorf("botrun.d.ts does not declare %s in %s", name, ns)
		}
	}
	for _, kind := range bindings.MethodKinds() {
		cls := typeName(kind)
		tsIface, ok := block(ts, "interface "+cls+" {")
		if !ok {
			t.Errorf("botrun.d.ts has no interface %s for %q objects", cls, kind)
		}
		if !strings.Contains(lua, "---@class "+cls) {
			t.Errorf("botrun.lua has no class %s for %q objects", cls, kind)
		}
		for name := range bindings.Methods(kind) {
			if ok && !declares(tsIface, name) {
				t.Errorf("botrun.d.ts: %s lacks method %s", cls, name)
			}
			if !strings.Contains(lua, "\nfunction "+cls+":"+name+"(") {
				t.Errorf("botrun.lua: %s lacks method %s", cls, name)
			}
		}
	}
	// Values and JS-only wrappers the engines add.
	for _, want := range []string{"declare const config", "const user", "const application_id",
		"declare function setTimeout<", "declare function setInterval<", "declare function clearTimeout(",
		"declare function clearInterval(", "declare function require("} {
		if !strings.Contains(ts, want) {
			t.Errorf("botrun.d.ts lacks %q", want)
		}
	}
	for _, want := range []string{"\nconfig = {}", "---@field user? User", "---@field application_id?"} {
		if !strings.Contains(lua, want) {
			t.Errorf("botrun.lua lacks %q", want)
		}
	}
	// The common events have typed data.
	for _, ev := range []string{"MESSAGE_CREATE", "INTERACTION_CREATE", "GUILD_MEMBER_ADD", "READY"} {
		if !strings.Contains(ts, `"`+ev+`"`) || !strings.Contains(lua, `"`+ev+`"`) {
			t.Errorf("event %s has no typed handler in both files", ev)
		}
	}
}

func TestFilesFS(t *testing.T) {
	for _, name := range []string{TSFile, LuaFile} {
		b, err := fs.ReadFile(Files(), name)
		if err != nil || len(b) == 0 {
			t.Errorf("Files() lacks %s: %v", name, err)
		}
	}
}

// The LuaLS file must be valid Lua, or the language server ignores it.
func TestLuaTypesParse(t *testing.T) {
	src := TypeFiles()[LuaFile]
	if _, err := parse.Parse(bytes.NewReader(src), LuaFile); err != nil {
		t.Fatalf("botrun.lua does not parse: %v", err)
	}
}
