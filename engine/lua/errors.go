package lua

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/botrun/botrun/engine"
)

// Lua reports positions as "chunk:line:" in front of the message; chunk
// names are paths relative to the bot directory. Lua has no columns: Col
// is always 0.
var locPrefix = regexp.MustCompile(`^([^\s:]+\.lua):(\d+):\s?`)

// scriptError turns an error raised in the VM into a ScriptError located
// at the innermost script position its message names.
func (s *script) scriptError(kind engine.ErrorKind, err error) *engine.ScriptError {
	se := &engine.ScriptError{Kind: kind, Script: s.unit.Name, Err: err}
	var msg string
	var apiErr *lua.ApiError
	if errors.As(err, &apiErr) {
		msg = s.errorText(apiErr.Object)
		se.Stack = apiErr.StackTrace
		if t, ok := apiErr.Object.(*lua.LTable); ok {
			if mt, ok := t.Metatable.(*lua.LTable); ok {
				if w, ok := mt.RawGetString("__where").(lua.LString); ok {
					msg = string(w) + ": " + msg
				}
			}
			if t.Metatable == s.errMT || s.isAPIError(t) {
				se.Kind = engine.KindBinding
			}
		}
	} else if err != nil {
		msg = err.Error()
	}
	se.Path, se.Line, se.Message = splitLocation(msg)
	return se
}

func (s *script) isAPIError(t *lua.LTable) bool {
	mt, ok := t.Metatable.(*lua.LTable)
	return ok && mt.RawGetString("__tostring") == s.errMT.RawGetString("__tostring")
}

// errorText renders an error value as tostring would.
func (s *script) errorText(v lua.LValue) string {
	if t, ok := v.(*lua.LTable); ok {
		if mt, ok := t.Metatable.(*lua.LTable); ok {
			if fn, ok := mt.RawGetString("__tostring").(*lua.LFunction); ok && fn.IsG {
				if s.L != nil {
					if err := s.L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}, t); err == nil {
						out := s.L.Get(-1)
						s.L.Pop(1)
						return out.String()
					}
				}
			}
		}
	}
	if v == lua.LNil {
		return "nil"
	}
	return v.String()
}

// splitLocation takes "lib/x.lua:12: boom" apart. A message re-raised with
// error(e) carries a second prefix in front; the last one is the innermost
// position, the one closest to the cause.
func splitLocation(msg string) (path string, line int, rest string) {
	rest = msg
	for {
		m := locPrefix.FindStringSubmatch(rest)
		if m == nil {
			return path, line, rest
		}
		path, line = m[1], atoi(m[2])
		rest = rest[len(m[0]):]
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func isContextError(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "context deadline exceeded") || strings.Contains(msg, "context canceled")
}

// syntaxError converts a compile failure of file.
func syntaxError(u engine.Unit, file string, err error, src []byte) *engine.ScriptError {
	se := parseError(u, file, err)
	if se.Line < 0 {
		// The parser reports the end of the file as line -1.
		se.Line = bytes.Count(src, []byte("\n")) + 1
		if len(src) > 0 && src[len(src)-1] == '\n' {
			se.Line--
		}
		se.Col = 0
		se.Message = strings.TrimSuffix(se.Message, " near 'EOF'") + " at end of file"
	}
	return se
}

func parseError(u engine.Unit, file string, err error) *engine.ScriptError {
	se := &engine.ScriptError{Kind: engine.KindSyntax, Script: u.Name, Path: file, Message: err.Error(), Err: err}
	var pe *parse.Error
	if errors.As(err, &pe) {
		se.Line = pe.Pos.Line
		se.Col = pe.Pos.Column
		se.Message = pe.Message
		if pe.Token != "" {
			se.Message += " near '" + pe.Token + "'"
		}
		return se
	}
	var apiErr *lua.ApiError
	if errors.As(err, &apiErr) && apiErr.Cause != nil {
		if errors.As(apiErr.Cause, &pe) {
			se.Line, se.Col = pe.Pos.Line, pe.Pos.Column
			se.Message = pe.Message
			if pe.Token != "" {
				se.Message += " near '" + pe.Token + "'"
			}
		}
	}
	return se
}

// asScriptError makes sure err is reported as a ScriptError of u.
func asScriptError(u engine.Unit, err error) *engine.ScriptError {
	var se *engine.ScriptError
	if errors.As(err, &se) {
		return se
	}
	return &engine.ScriptError{Kind: engine.KindLoad, Script: u.Name, Path: u.Path, Message: err.Error(), Err: err}
}

// traceback lists the script frames left on a coroutine that raised: a
// failed gopher-lua thread keeps its call frames below the one that
// raised. One "path:line: in function" line per frame, innermost first.
func traceback(co *lua.LState) string {
	var b strings.Builder
	for level := 0; level < 64; level++ {
		dbg, ok := co.GetStack(level)
		if !ok {
			break
		}
		if _, err := co.GetInfo("Sln", dbg, lua.LNil); err != nil {
			break
		}
		if dbg.What == "G" || dbg.Source == "=prelude" || dbg.Source == "prelude" || dbg.CurrentLine <= 0 {
			continue
		}
		name := dbg.Name
		if name == "" || (name == "main chunk" && dbg.LineDefined > 0) {
			name = "function <" + dbg.Source + ":" + strconv.Itoa(dbg.LineDefined) + ">"
		}
		fmt.Fprintf(&b, "%s:%d: in %s\n", dbg.Source, dbg.CurrentLine, name)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
