package lua

import (
	"fmt"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Compiled functions keep no spare capacity: a script's functions live as
// long as the script, and the compiler's scratch buffers are ~16 KB each.
func TestCompiledFunctionsAreCompact(t *testing.T) {
	s := loadInternal(t, "")
	var src strings.Builder
	src.WriteString("local t = {}\n")
	for range 20 {
		src.WriteString("t[#t+1] = function(a) if a then return a .. 'x' end return function() return t end end\n")
	}
	src.WriteString("return #t\n")
	done := make(chan struct{})
	var fn *lua.LFunction
	var err error
	s.loop.Post(func() {
		defer close(done)
		fn, err = s.compileSource([]byte(src.String()), "many.lua")
	})
	<-done
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func(p *lua.FunctionProto)
	walk = func(p *lua.FunctionProto) {
		n++
		if cap(p.Code) != len(p.Code) || cap(p.DbgSourcePositions) != len(p.DbgSourcePositions) ||
			cap(p.DbgCalls) != len(p.DbgCalls) || cap(p.Constants) != len(p.Constants) ||
			cap(p.FunctionPrototypes) != len(p.FunctionPrototypes) {
			t.Errorf("function at line %d keeps spare capacity: code %d/%d, lines %d/%d, calls %d/%d",
				p.LineDefined, len(p.Code), cap(p.Code), len(p.DbgSourcePositions), cap(p.DbgSourcePositions), len(p.DbgCalls), cap(p.DbgCalls))
		}
		for _, c := range p.FunctionPrototypes {
			walk(c)
		}
	}
	walk(fn.Proto)
	if n != 41 {
		t.Fatalf("walked %d functions, want 41", n)
	}
	// And the compacted chunk still runs.
	done = make(chan struct{})
	var got lua.LValue
	s.loop.Post(func() {
		defer close(done)
		if err = s.L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}); err == nil {
			got = s.L.Get(-1)
			s.L.Pop(1)
		}
	})
	<-done
	if err != nil || got != lua.LNumber(20) {
		t.Fatalf("chunk returned %v, %v; want 20", got, err)
	}
}

// Field reads by constant name run as OP_GETTABLE (see constantKeyReads)
// and behave exactly as the compiler's own OP_GETTABLEKS: same values,
// same __index calls, same errors.
func TestConstantKeyReadsBehaveAsCompiled(t *testing.T) {
	cases := []string{
		`local t = {a = 1, b = {c = "x"}}; return t.a .. t.b.c .. tostring(t.missing)`,
		`local t = setmetatable({}, {__index = function(_, k) return k .. "!" end}); return t.name .. t["other"]`,
		`local t = setmetatable({}, {__index = {inner = 5}}); return t.inner`,
		`local s = "abc"; return s.len(s) .. s:upper()`,
		`local x = nil; return x.field`,
		`local n = 5; return n.field`,
		`local t = setmetatable({}, {__index = function(_, k) error("no " .. k) end}); return t.key`,
		// more constants than an instruction operand can address: the key
		// then comes from a register
		func() string {
			var b strings.Builder
			b.WriteString("local t = {z = 7}; local _ = {")
			for i := range 300 {
				fmt.Fprintf(&b, "%q,", fmt.Sprint("k", i))
			}
			b.WriteString("}; return t.z")
			return b.String()
		}(),
	}
	run := func(src string, rewrite bool) string {
		chunk, err := parse.Parse(strings.NewReader(src), "c.lua")
		if err != nil {
			t.Fatal(err)
		}
		proto, err := lua.Compile(chunk, "c.lua")
		if err != nil {
			t.Fatal(err)
		}
		if rewrite {
			compactProto(proto)
			var walk func(p *lua.FunctionProto)
			walk = func(p *lua.FunctionProto) {
				for _, inst := range p.Code {
					if int(inst>>opShift) == lua.OP_GETTABLEKS {
						t.Fatalf("%s: OP_GETTABLEKS left in the compiled code", src)
					}
				}
				for _, c := range p.FunctionPrototypes {
					walk(c)
				}
			}
			walk(proto)
		}
		L := lua.NewState()
		defer L.Close()
		if err := L.CallByParam(lua.P{Fn: L.NewFunctionFromProto(proto), NRet: 1, Protect: true}); err != nil {
			return "error: " + err.Error()
		}
		return L.Get(-1).String()
	}
	for _, src := range cases {
		want, got := run(src, false), run(src, true)
		if got != want {
			t.Errorf("%.60s:\nrewritten: %s\ncompiled:  %s", src, got, want)
		}
	}
}
