package js

import (
	"context"
	"log/slog"
	"strings"

	"github.com/dop251/goja"
)

// maxConsoleLine bounds one console record, like log.* in bindings.
const maxConsoleLine = 16 << 10

// installConsole routes console.* to the script's logger; nothing ever
// reaches stdout directly.
func (s *script) installConsole() {
	console := s.vm.NewObject()
	levels := map[string]slog.Level{
		"log": slog.LevelInfo, "info": slog.LevelInfo, "debug": slog.LevelDebug,
		"warn": slog.LevelWarn, "error": slog.LevelError, "trace": slog.LevelDebug,
		"dir": slog.LevelInfo,
	}
	for name, level := range levels {
		console.Set(name, func(call goja.FunctionCall) goja.Value {
			ctx := context.Background()
			if !s.bs.Log.Enabled(ctx, level) {
				return goja.Undefined()
			}
			s.bs.Log.Log(ctx, level, s.consoleLine(call.Arguments))
			return goja.Undefined()
		})
	}
	// console.assert(cond, ...msg) logs an error when cond is falsy.
	console.Set("assert", func(call goja.FunctionCall) goja.Value {
		if call.Argument(0).ToBoolean() {
			return goja.Undefined()
		}
		msg := "Assertion failed"
		if len(call.Arguments) > 1 {
			msg += ": " + s.consoleLine(call.Arguments[1:])
		}
		s.bs.Log.Error(msg)
		return goja.Undefined()
	})
	s.vm.Set("console", console)
}

func (s *script) consoleLine(args []goja.Value) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.display(a))
		if b.Len() > maxConsoleLine {
			break
		}
	}
	out := b.String()
	if len(out) > maxConsoleLine {
		out = out[:maxConsoleLine] + "… (truncated)"
	}
	return out
}

// display renders a value for the log: strings as they are, errors with
// their message, objects as JSON when they have a JSON form.
func (s *script) display(v goja.Value) string {
	o, ok := v.(*goja.Object)
	if !ok {
		if v == nil {
			return "undefined"
		}
		return v.String()
	}
	if _, fn := goja.AssertFunction(o); fn {
		return "[Function]"
	}
	if o.ClassName() == "Error" {
		return valueMessage(o)
	}
	stringify, _ := goja.AssertFunction(s.vm.Get("JSON").ToObject(s.vm).Get("stringify"))
	if stringify != nil {
		if j, err := stringify(goja.Undefined(), o); err == nil && !goja.IsUndefined(j) {
			return j.String()
		}
	}
	return o.String()
}
