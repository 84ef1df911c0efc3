package lua

import (
	lua "github.com/yuin/gopher-lua"
)

// limitBuiltins replaces the built-ins that can build a huge string in one
// native call (which no CPU budget can interrupt) with versions that check
// the result size against MaxString first. The '..' operator and
// string.gsub cannot be checked this way; see docs/limits.md.
func (s *script) limitBuiltins(str, tbl *lua.LTable) {
	L := s.L
	max := s.limits.MaxString
	tooLarge := func(L *lua.LState, fn string, n int) {
		L.RaiseError("%s: resulting string too large (%d bytes, limit %d)", fn, n, max)
	}

	rep := str.RawGetString("rep").(*lua.LFunction)
	str.RawSetString("rep", L.NewFunction(func(L *lua.LState) int {
		sv := L.CheckString(1)
		n := L.CheckInt(2)
		sep := L.OptString(3, "")
		if n > 0 {
			size := float64(len(sv))*float64(n) + float64(len(sep))*float64(n-1)
			if size > float64(max) {
				tooLarge(L, "string.rep", int(min(size, 1<<62)))
			}
		}
		if sep != "" {
			// gopher-lua's rep ignores the separator (Lua 5.2 feature):
			// build it here, size already checked.
			out := make([]byte, 0, len(sv)*n+len(sep)*max1(n-1))
			for i := 0; i < n; i++ {
				if i > 0 {
					out = append(out, sep...)
				}
				out = append(out, sv...)
			}
			L.Push(lua.LString(out))
			return 1
		}
		L.Push(rep)
		L.Push(lua.LString(sv))
		L.Push(lua.LNumber(n))
		L.Call(2, 1)
		return 1
	}))

	concat := tbl.RawGetString("concat").(*lua.LFunction)
	tbl.RawSetString("concat", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		sep := L.OptString(2, "")
		i := L.OptInt(3, 1)
		j := L.OptInt(4, t.Len())
		size := 0
		for k := i; k <= j; k++ {
			switch v := t.RawGetInt(k).(type) {
			case lua.LString:
				size += len(v)
			case lua.LNumber:
				size += 24
			}
			if k > i {
				size += len(sep)
			}
			if size > max {
				tooLarge(L, "table.concat", size)
			}
		}
		top := L.GetTop()
		L.Push(concat)
		for k := 1; k <= top; k++ {
			L.Push(L.Get(k))
		}
		L.Call(top, 1)
		return 1
	}))

	format := str.RawGetString("format").(*lua.LFunction)
	str.RawSetString("format", L.NewFunction(func(L *lua.LState) int {
		f := L.CheckString(1)
		if err := checkFormatWidths(f); err != "" {
			L.RaiseError("string.format: %s", err)
		}
		top := L.GetTop()
		L.Push(format)
		for k := 1; k <= top; k++ {
			L.Push(L.Get(k))
		}
		L.Call(top, 1)
		return 1
	}))
}

func max1(n int) int {
	if n < 1 {
		return 0
	}
	return n
}

// checkFormatWidths refuses widths and precisions over 99, as standard Lua
// does; gopher-lua passes them to fmt, where %999999999d allocates that
// much.
func checkFormatWidths(f string) string {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			continue
		}
		for i < len(f) && (f[i] == '-' || f[i] == '+' || f[i] == ' ' || f[i] == '#' || f[i] == '0') {
			i++
		}
		digits := 0
		for i < len(f) && f[i] >= '0' && f[i] <= '9' {
			digits++
			i++
		}
		if digits > 2 {
			return "invalid format (width too long)"
		}
		if i < len(f) && f[i] == '.' {
			i++
			digits = 0
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				digits++
				i++
			}
			if digits > 2 {
				return "invalid format (precision too long)"
			}
		}
	}
	return ""
}
