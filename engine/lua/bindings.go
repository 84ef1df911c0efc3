package lua

import (
	"errors"
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/botrun/botrun/bindings"
)

// installBindings exposes bindings.Globals() under their dotted names
// (discord.send → discord table, field send), the json helpers, config and
// bot.user / bot.application_id.
func (s *script) installBindings() {
	L := s.L
	g := L.G.Global
	// Namespace tables are made for their number of entries: an unsized
	// table reserves room for 32 of each kind (~3 KB).
	entries := map[string]map[string]bool{} // namespace → its distinct keys
	for _, f := range bindings.Globals() {
		parts := strings.Split(f.Name, ".")
		for k := 1; k < len(parts); k++ {
			ns := strings.Join(parts[:k], ".")
			if entries[ns] == nil {
				entries[ns] = map[string]bool{}
			}
			entries[ns][parts[k]] = true
		}
	}
	for _, f := range bindings.Globals() {
		fn := s.function(f, "")
		s.funcs[f.Name] = fn
		parts := strings.Split(f.Name, ".")
		tbl := g
		for i, p := range parts[:len(parts)-1] {
			next, ok := tbl.RawGetString(p).(*lua.LTable)
			if !ok {
				next = L.CreateTable(0, len(entries[strings.Join(parts[:i+1], ".")]))
				tbl.RawSetString(p, next)
			}
			tbl = next
		}
		tbl.RawSetString(parts[len(parts)-1], fn)
	}
	g.RawSetString("config", s.toLua(s.bs.Config))
	g.RawSetString("json", s.jsonTable())

	bot, ok := g.RawGetString("bot").(*lua.LTable)
	if !ok {
		bot = L.CreateTable(0, 0)
		g.RawSetString("bot", bot)
	}
	botMT := L.CreateTable(0, 1)
	botMT.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		key := L.CheckString(2)
		if s.bs.Host == nil || s.bs.Host.Bot == nil {
			return 0
		}
		info := s.bs.Host.Bot()
		switch key {
		case "user":
			if info.User == nil {
				return 0
			}
			L.Push(s.toLua(info.User))
			return 1
		case "application_id":
			if info.ApplicationID == "" {
				return 0
			}
			L.Push(lua.LString(info.ApplicationID))
			return 1
		}
		return 0
	}))
	L.SetMetatable(bot, botMT)
}

// method returns the script function of method name of kind, built once per
// VM.
func (s *script) method(kind, name string) lua.LValue {
	if v, ok := s.methodSet(kind)[name]; ok {
		return v
	}
	return lua.LNil
}

// methodSet is the adapted method set of kind, built on first use.
func (s *script) methodSet(kind string) map[string]lua.LValue {
	set, ok := s.methods[kind]
	if !ok {
		set = map[string]lua.LValue{}
		for n, f := range bindings.Methods(kind) {
			set[n] = s.function(f, kind)
		}
		s.methods[kind] = set
	}
	return set
}

// function adapts one binding. kind is the method set for methods ("" for
// globals): methods take their receiver as the first argument (msg:reply).
// Sync bindings are Go functions raising at the caller; async ones are a
// prelude wrapper around a raw Go function that yields.
func (s *script) function(f bindings.Func, kind string) lua.LValue {
	display := f.Name
	if kind != "" {
		display = kind + ":" + f.Name
	}
	if !f.Async {
		return s.L.NewFunction(func(L *lua.LState) int {
			call, err := s.prepare(L, f, kind, display)
			if err == nil {
				call.Where = func() string { return where(L, 1) }
				var res any
				res, err = f.Fn(call)
				if err == nil {
					L.Push(s.toLua(res))
					return 1
				}
			}
			s.raise(L, err, 1)
			return 0
		})
	}
	raw := s.L.NewFunction(func(L *lua.LState) int { return s.callAsync(L, f, kind, display) })
	if err := s.L.CallByParam(lua.P{Fn: s.mkasync, NRet: 1, Protect: true}, raw); err != nil {
		panic(fmt.Sprintf("lua: wrapping %s: %v", display, err)) // the prelude is ours: a bug
	}
	fn := s.L.Get(-1)
	s.L.Pop(1)
	return fn
}

// callBox is a binding call and room for its first arguments in one
// allocation. Nothing is reused: a binding may keep its Call.
type callBox struct {
	call bindings.Call
	args [3]any
}

// prepare converts the arguments of a binding call.
func (s *script) prepare(L *lua.LState, f bindings.Func, kind, display string) (*bindings.Call, error) {
	box := &callBox{call: bindings.Call{Ctx: s.loop.Context(), Script: s.bs}}
	call := &box.call
	first := 1
	if kind != "" {
		obj := s.objectOf(L.Get(1))
		if obj == nil || obj.Kind != kind {
			return nil, bindings.Usagef(display, "call it as a method, with ':' (x:%s(...))", f.Name)
		}
		call.This = obj
		first = 2
	}
	n := L.GetTop()
	if n >= first {
		if m := n - first + 1; m <= len(box.args) {
			call.Args = box.args[:0:m]
		} else {
			call.Args = make([]any, 0, m)
		}
		c := s.newConverter(display)
		for i := first; i <= n; i++ {
			v, err := c.toGo(L.Get(i), 0)
			if err != nil {
				return nil, err
			}
			call.Args = append(call.Args, v)
		}
	}
	return call, nil
}

// callAsync starts an async binding on a goroutine of its own and yields
// the calling coroutine; the result is posted back to the loop, which
// resumes the handler. It returns true, result or false, error to the
// prelude wrapper.
func (s *script) callAsync(L *lua.LState, f bindings.Func, kind, display string) int {
	call, err := s.prepare(L, f, kind, display)
	if err != nil {
		return s.failRaw(L, err, 2)
	}
	r := s.current(L)
	if r == nil {
		return s.failRaw(L, bindings.Usagef(display, "cannot wait here (not in a handler)"), 2)
	}
	loc := where(L, 2)
	call.Where = func() string { return loc }
	release, err := s.loop.Acquire()
	if err != nil {
		return s.failRaw(L, fmt.Errorf("%s: %w", display, err), 2)
	}
	busy := s.loop.Busy()
	if L != r.co {
		s.waiting[L] = true
	}
	go func() {
		res, err := safeCall(f, call)
		posted := s.loop.Post(func() {
			release()
			busy()
			if s.L == nil {
				return
			}
			if err != nil && s.check && errors.Is(err, bindings.ErrNotConnected) {
				err, res = nil, nil // botrun check: no platform, no failure
			}
			s.delivering = L != r.co
			defer func() { s.delivering = false }()
			if err != nil {
				s.resume(r, lua.LFalse, s.errorValue(err, loc))
				return
			}
			s.resume(r, lua.LTrue, s.toLua(res))
		})
		if !posted {
			release()
			busy()
		}
	}()
	return L.Yield(s.mark)
}

// current is the run being executed: the one to resume when the result
// arrives, whichever nested coroutine (pcall, user coroutine) L is.
func (s *script) current(*lua.LState) *run { return s.active }

// failRaw returns false, err to the prelude wrapper, which raises it at
// the script's call site.
func (s *script) failRaw(L *lua.LState, err error, level int) int {
	L.Push(lua.LFalse)
	L.Push(s.errorValue(err, where(L, level)))
	return 2
}

// raise raises err at the caller of the current Go function.
func (s *script) raise(L *lua.LState, err error, level int) {
	L.Error(s.errorValue(err, where(L, level)), 0)
}

func prefix(loc string) string {
	if loc == "" {
		return ""
	}
	return loc + ": "
}

// errorValue is what a script sees for a binding's error: a platform error
// is a table {status, code, message, ...} with a readable __tostring;
// anything else is its message.
func (s *script) errorValue(err error, loc string) lua.LValue {
	var apiErr *bindings.APIError
	if errors.As(err, &apiErr) {
		t := s.L.NewTable()
		t.RawSetString("status", lua.LNumber(apiErr.Status))
		t.RawSetString("code", lua.LNumber(apiErr.Code))
		t.RawSetString("message", lua.LString(apiErr.Message))
		t.RawSetString("method", lua.LString(apiErr.Method))
		t.RawSetString("path", lua.LString(apiErr.Path))
		if len(apiErr.Errors) > 0 {
			t.RawSetString("errors", s.toLua(apiErr.Errors))
		}
		mt := s.L.NewTable()
		mt.RawSetString("__tostring", s.errMT.RawGetString("__tostring"))
		mt.RawSetString("__where", lua.LString(loc))
		t.Metatable = mt
		return t
	}
	return lua.LString(prefix(loc) + err.Error())
}

func (s *script) newErrorMT() *lua.LTable {
	mt := s.L.CreateTable(0, 1)
	mt.RawSetString("__tostring", s.L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		str := func(k string) string { return lua.LVAsString(t.RawGetString(k)) }
		num := func(k string) int { return int(lua.LVAsNumber(t.RawGetString(k))) }
		msg := fmt.Sprintf("%s %s: %d %s", str("method"), str("path"), num("status"), str("message"))
		if c := num("code"); c != 0 {
			msg += fmt.Sprintf(" (code %d)", c)
		}
		L.Push(lua.LString(msg))
		return 1
	}))
	return mt
}

// where is "path:line" of the function level levels up the stack of L
// (1: the caller of the running Go function), or "".
func where(L *lua.LState, level int) string {
	for ; level < 64; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			return ""
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
			return ""
		}
		if dbg.What == "G" || dbg.CurrentLine <= 0 || dbg.Source == "prelude" || dbg.Source == "=prelude" {
			continue // Go functions and the prelude are not script positions
		}
		return fmt.Sprintf("%s:%d", dbg.Source, dbg.CurrentLine)
	}
	return ""
}

// safeCall runs an async binding on its own goroutine, where a panic would
// otherwise take the whole process down: it becomes the call's error.
func safeCall(f bindings.Func, call *bindings.Call) (res any, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("%s: internal error: %v", f.Name, r)
		}
	}()
	return f.Fn(call)
}
