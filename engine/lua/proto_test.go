package lua

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
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
