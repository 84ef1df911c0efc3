package lua

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/pm"
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
		return callThrough(L, concat, 1)
	}))

	// gopher-lua's gsub rebuilds the whole string once per match
	// (quadratic: a 200 KB subject took minutes in one uninterruptible
	// call); this one builds the result once and checks its size.
	str.RawSetString("gsub", L.NewFunction(func(L *lua.LState) int { return gsub(L, max) }))

	// gopher-lua parses patterns recursively per '(' on the Go stack; Lua
	// itself allows 32 captures. Refuse more before parsing.
	for _, name := range []string{"find", "match", "gmatch"} {
		orig := str.RawGetString(name).(*lua.LFunction)
		fname := "string." + name
		str.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			checkPattern(L, fname, L.CheckString(2))
			return callThrough(L, orig, lua.MultRet)
		}))
	}

	format := str.RawGetString("format").(*lua.LFunction)
	str.RawSetString("format", L.NewFunction(func(L *lua.LState) int {
		f := L.CheckString(1)
		if err := checkFormatWidths(f); err != "" {
			L.RaiseError("string.format: %s", err)
		}
		return callThrough(L, format, 1)
	}))
}

// callThrough calls the original library function fn with the wrapper's
// arguments once the wrapper has checked them, and returns its nret results
// (all of them for lua.MultRet).
func callThrough(L *lua.LState, fn *lua.LFunction, nret int) int {
	top := L.GetTop()
	L.Push(fn)
	for k := 1; k <= top; k++ {
		L.Push(L.Get(k))
	}
	L.Call(top, nret)
	return L.GetTop() - top
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

// gsub is string.gsub with a linear result build and a size limit.
func gsub(L *lua.LState, max int) int {
	str := L.CheckString(1)
	pat := L.CheckString(2)
	checkPattern(L, "string.gsub", pat)
	L.CheckTypes(3, lua.LTString, lua.LTNumber, lua.LTTable, lua.LTFunction)
	repl := L.Get(3)
	limit := L.OptInt(4, -1)
	matches, err := pm.Find(pat, []byte(str), 0, limit)
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	if len(matches) == 0 {
		L.Push(lua.LString(str))
		L.Push(lua.LNumber(0))
		return 2
	}
	var b strings.Builder
	last := 0
	for _, m := range matches {
		start, end := m.Capture(0), m.Capture(1)
		b.WriteString(str[last:start])
		whole := str[start:end]
		switch r := repl.(type) {
		case lua.LString:
			expandRepl(L, &b, string(r), m, str)
		case lua.LNumber:
			expandRepl(L, &b, r.String(), m, str)
		case *lua.LTable:
			b.WriteString(replValue(L, L.GetTable(r, firstCapture(m, str)), whole))
		case *lua.LFunction:
			L.Push(r)
			n := 0
			if m.CaptureLength() > 2 {
				for i := 2; i < m.CaptureLength(); i += 2 {
					L.Push(capture(L, m, str, i))
					n++
				}
			} else {
				L.Push(lua.LString(whole))
				n = 1
			}
			L.Call(n, 1)
			v := L.Get(-1)
			L.Pop(1)
			b.WriteString(replValue(L, v, whole))
		}
		if b.Len() > max {
			L.RaiseError("string.gsub: resulting string too large (more than %d bytes)", max)
		}
		last = end
	}
	b.WriteString(str[last:])
	if b.Len() > max {
		L.RaiseError("string.gsub: resulting string too large (%d bytes, limit %d)", b.Len(), max)
	}
	L.Push(lua.LString(b.String()))
	L.Push(lua.LNumber(len(matches)))
	return 2
}

// replValue is what a table or function replacement contributes: false or
// nil keep the match, strings and numbers replace it.
func replValue(L *lua.LState, v lua.LValue, whole string) string {
	switch v := v.(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return v.String()
	case *lua.LNilType:
		return whole
	case lua.LBool:
		if !bool(v) {
			return whole
		}
	}
	L.RaiseError("invalid replacement value (a %s)", v.Type().String())
	return ""
}

// expandRepl writes a string replacement: %0 is the match, %1-%9 the
// captures, %% a percent sign.
func expandRepl(L *lua.LState, b *strings.Builder, repl string, m *pm.MatchData, str string) {
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		if c != '%' || i+1 == len(repl) {
			b.WriteByte(c)
			continue
		}
		i++
		d := repl[i]
		switch {
		case d == '0':
			b.WriteString(str[m.Capture(0):m.Capture(1)])
		case d >= '1' && d <= '9':
			idx := 2 * int(d-'0')
			if m.CaptureLength() <= 2 && d == '1' {
				idx = 0 // %1 without captures is the whole match
			} else if idx >= m.CaptureLength() {
				L.RaiseError("invalid capture index %%%c", d)
			}
			b.WriteString(lua.LVAsString(capture(L, m, str, idx)))
		default:
			b.WriteByte(d)
		}
	}
}

// capture is capture idx (an even index into the match data) as a value:
// position captures are numbers.
func capture(L *lua.LState, m *pm.MatchData, str string, idx int) lua.LValue {
	if m.IsPosCapture(idx) {
		return lua.LNumber(m.Capture(idx))
	}
	return lua.LString(str[m.Capture(idx):m.Capture(idx+1)])
}

func firstCapture(m *pm.MatchData, str string) lua.LValue {
	if m.CaptureLength() > 2 {
		if m.IsPosCapture(2) {
			return lua.LNumber(m.Capture(2))
		}
		return lua.LString(str[m.Capture(2):m.Capture(3)])
	}
	return lua.LString(str[m.Capture(0):m.Capture(1)])
}

// maxCaptures is Lua's LUA_MAXCAPTURES.
const maxCaptures = 32

// checkPattern raises for patterns with more than maxCaptures captures.
func checkPattern(L *lua.LState, fn, pat string) {
	n := 0
	for i := 0; i < len(pat); i++ {
		switch pat[i] {
		case '%':
			i++
		case '[':
			// a set: ']' right after '[' or '[^' is literal
			i++
			if i < len(pat) && pat[i] == '^' {
				i++
			}
			if i < len(pat) && pat[i] == ']' {
				i++
			}
			for i < len(pat) && pat[i] != ']' {
				if pat[i] == '%' {
					i++
				}
				i++
			}
		case '(':
			n++
			if n > maxCaptures {
				L.RaiseError("%s: too many captures (more than %d)", fn, maxCaptures)
			}
		}
	}
}
