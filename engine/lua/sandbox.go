package lua

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/botrun/botrun/engine"
)

//go:embed prelude.lua
var preludeSrc string

// removedGlobals reach the host (files, process-wide GC, stdout) or are
// gopher-lua internals. require is replaced by the confined one, print by
// the script's logger.
var removedGlobals = []string{
	"dofile", "loadfile", "collectgarbage", "_printregs", "print", "module",
	"require", "newproxy", "getfenv", "setfenv", "_GOPHER_LUA_VERSION",
}

// newState builds the sandboxed VM: base, table, string, math, coroutine
// and os.time/clock/date/difftime, then the prelude and the bindings.
func (s *script) newState() error {
	regMax := s.limits.LuaRegistryMax
	L := lua.NewState(lua.Options{
		SkipOpenLibs:        true,
		CallStackSize:       s.limits.CallStack,
		RegistrySize:        min(128, regMax), // grows by RegistryGrowStep; 128 is gopher-lua's floor
		RegistryMaxSize:     regMax,
		RegistryGrowStep:    128,
		MinimizeStackMemory: true,
	})
	s.L = L
	for _, lib := range []struct {
		name string
		fn   lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
		{lua.OsLibName, lua.OpenOs},
	} {
		L.Push(L.NewFunction(lib.fn))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	g := L.G.Global
	for _, name := range removedGlobals {
		g.RawSetString(name, lua.LNil)
	}
	// os keeps only the clock functions: no execute, getenv, exit, files.
	fullOS := L.GetGlobal("os").(*lua.LTable)
	os := L.CreateTable(0, 4)
	for _, name := range []string{"time", "clock", "date", "difftime"} {
		os.RawSetString(name, fullOS.RawGetString(name))
	}
	g.RawSetString("os", os)
	// The library registry keeps every opened library; keeping the full
	// os table there would keep its functions alive for nothing.
	if loaded, ok := L.G.Registry.RawGetString("_LOADED").(*lua.LTable); ok {
		loaded.RawSetString("os", os)
	}

	str := L.GetGlobal("string").(*lua.LTable)
	str.RawSetString("dump", lua.LNil)
	s.limitBuiltins(str, L.GetGlobal("table").(*lua.LTable))

	s.pairsAux = iteratorOf(L, g.RawGetString("pairs"))
	s.ipairsAux = iteratorOf(L, g.RawGetString("ipairs"))
	s.viewIpairsAux = L.NewFunction(s.viewIpairsNext)
	g.RawSetString("print", L.NewFunction(s.print))
	g.RawSetString("pairs", L.NewFunction(s.pairs))
	g.RawSetString("ipairs", L.NewFunction(s.ipairs))
	g.RawSetString("loadstring", L.NewFunction(s.loadstring))
	g.RawSetString("load", L.NewFunction(s.loadChunk))

	s.mark = L.NewUserData()
	s.viewMT = s.newViewMT()
	s.errMT = s.newErrorMT()
	s.arrayMT = L.CreateTable(0, 0)
	s.objMT = L.CreateTable(0, 0)

	if err := s.runPrelude(); err != nil {
		return err
	}
	s.installBindings()
	return nil
}

// runPrelude runs prelude.lua with the private hooks it needs; it returns
// the async wrapper factory and installs pcall, xpcall, coroutine.*,
// require.
func (s *script) runPrelude() error {
	L := s.L
	proto, err := preludeProto()
	if err != nil {
		return fmt.Errorf("lua prelude: %w", err)
	}
	fn := L.NewFunctionFromProto(proto)
	co := L.GetGlobal("coroutine").(*lua.LTable)
	rawResume := co.RawGetString("resume").(*lua.LFunction).GFunction
	// coroutine.create must not give the new thread a child of the
	// running context: that would start a goroutine per coroutine for a
	// context type the standard library does not know. The resume hook
	// sets the context on every resume instead.
	rawCreate := co.RawGetString("create").(*lua.LFunction).GFunction
	co.RawSetString("create", L.NewFunction(func(L *lua.LState) int {
		if ctx := L.RemoveContext(); ctx != nil {
			defer L.SetContext(ctx) // also when create raises
		}
		return rawCreate(L)
	}))
	hooks := L.CreateTable(0, 5)
	hooks.RawSetString("mark", s.mark)
	hooks.RawSetString("resume", L.NewFunction(s.resumeHook(rawResume)))
	hooks.RawSetString("interrupted", L.NewFunction(func(L *lua.LState) int {
		ctx := L.Context()
		L.Push(lua.LBool(ctx != nil && ctx.Err() != nil))
		return 1
	}))
	hooks.RawSetString("find_module", L.NewFunction(s.findModule))
	hooks.RawSetString("store_module", L.NewFunction(s.storeModule))
	if err := L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}, hooks); err != nil {
		return fmt.Errorf("lua prelude: %w", err)
	}
	ret := L.Get(-1)
	L.Pop(1)
	mk, ok := ret.(*lua.LFunction)
	if !ok {
		return fmt.Errorf("lua prelude: returned a %s, want the async wrapper factory", ret.Type())
	}
	s.mkasync = mk
	return nil
}

// preludeProto is compiled once per process: function prototypes are
// immutable and shared by every VM (compiling per VM kept ~200 KB alive in
// each).
var preludeProto = sync.OnceValues(func() (*lua.FunctionProto, error) {
	chunk, err := parse.Parse(strings.NewReader(preludeSrc), "=prelude")
	if err != nil {
		return nil, err
	}
	proto, err := lua.Compile(chunk, "=prelude")
	if err == nil {
		compactProto(proto)
	}
	return proto, err
})

// resumeHook wraps coroutine.resume: the resumed coroutine runs under the
// caller's context (its CPU deadline), handler coroutines cannot be
// resumed by scripts, and nesting is bounded so that recursion through
// pcall cannot exhaust the Go stack.
func (s *script) resumeHook(raw lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		th := L.CheckThread(1)
		if s.roots[th] {
			L.Push(lua.LFalse)
			L.Push(lua.LString("cannot resume a handler's coroutine"))
			return 2
		}
		if s.waiting[th] {
			if !s.delivering {
				L.Push(lua.LFalse)
				L.Push(lua.LString("cannot resume a coroutine that is waiting for a binding call to finish"))
				return 2
			}
			delete(s.waiting, th)
			s.delivering = false
		}
		if s.depth >= s.limits.CallStack {
			L.Push(lua.LFalse)
			L.Push(lua.LString(fmt.Sprintf("stack overflow (more than %d nested pcall/coroutine levels)", s.limits.CallStack)))
			return 2
		}
		th.SetContext(s.intr)
		s.depth++
		defer func() { s.depth-- }()
		return raw(L)
	}
}

// compile parses a file of the bot directory; the chunk name is the
// file's path relative to the bot directory, so errors read "lib/x.lua:3:".
func (s *script) compile(rel string) (*lua.LFunction, error) {
	src, err := s.root.ReadFile(rel)
	if err != nil {
		return nil, &engine.ScriptError{Kind: engine.KindLoad, Script: s.unit.Name, Path: rel, Message: "cannot read: " + err.Error(), Err: err}
	}
	return s.compileSource(src, rel)
}

func (s *script) compileSource(src []byte, name string) (*lua.LFunction, error) {
	if line, err := checkNesting(src); err != nil {
		return nil, &engine.ScriptError{Kind: engine.KindSyntax, Script: s.unit.Name, Path: name, Line: line, Message: err.Error(), Err: err}
	}
	chunk, err := parse.Parse(bytes.NewReader(src), name)
	if err != nil {
		return nil, syntaxError(s.unit, name, err, src)
	}
	proto, err := lua.Compile(chunk, name)
	if err != nil {
		return nil, syntaxError(s.unit, name, err, src)
	}
	compactProto(proto)
	return s.L.NewFunctionFromProto(proto), nil
}

// print logs its arguments at info level, tab-separated as print would
// write them.
func (s *script) print(L *lua.LState) int {
	n := L.GetTop()
	parts := make([]string, n)
	for i := 1; i <= n; i++ {
		parts[i-1] = L.ToStringMeta(L.Get(i)).String()
	}
	s.log.Info(strings.Join(parts, "\t"))
	return 0
}

// loadstring compiles source text only: a binary chunk (ESC "Lua") is
// refused; gopher-lua could not run one anyway, but say so clearly.
func (s *script) loadstring(L *lua.LState) int {
	src := L.CheckString(1)
	name := L.OptString(2, "=(load)")
	return s.loadText(L, src, name)
}

// loadChunk is load(string_or_function [, chunkname]).
func (s *script) loadChunk(L *lua.LState) int {
	var src string
	switch v := L.Get(1).(type) {
	case lua.LString:
		src = string(v)
	case *lua.LFunction:
		var b strings.Builder
		for {
			L.Push(v)
			L.Call(0, 1)
			piece := L.Get(-1)
			L.Pop(1)
			ps, ok := piece.(lua.LString)
			if !ok || ps == "" {
				break
			}
			if b.Len()+len(ps) > s.limits.MaxString {
				L.Push(lua.LNil)
				L.Push(lua.LString("load: chunk too large"))
				return 2
			}
			b.WriteString(string(ps))
		}
		src = b.String()
	default:
		L.ArgError(1, "string or function expected")
	}
	return s.loadText(L, src, L.OptString(2, "=(load)"))
}

func (s *script) loadText(L *lua.LState, src, name string) int {
	if strings.HasPrefix(src, "\x1bLua") {
		L.Push(lua.LNil)
		L.Push(lua.LString("binary chunks are not allowed"))
		return 2
	}
	if line, err := checkNesting([]byte(src)); err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(fmt.Sprintf("%s:%d: %v", name, line, err)))
		return 2
	}
	fn, err := L.Load(strings.NewReader(src), name)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	compactProto(fn.Proto)
	L.Push(fn)
	return 1
}

// iteratorOf returns the step function the built-in pairs or ipairs hands
// out, so the replacements can return it for plain tables.
func iteratorOf(L *lua.LState, fn lua.LValue) lua.LValue {
	if err := L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}, L.CreateTable(0, 0)); err != nil {
		panic("lua: " + err.Error()) // built-ins: cannot fail
	}
	it := L.Get(-1)
	L.Pop(1)
	return it
}
