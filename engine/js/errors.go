package js

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/dop251/goja"

	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/loop"
	"github.com/botrun/botrun/engine/watchdog"
)

// toScriptError locates err in the script's files. kind is what was
// running (load, handler); limits override it.
func (s *script) toScriptError(kind engine.ErrorKind, err error) *engine.ScriptError {
	se := &engine.ScriptError{Kind: kind, Script: s.unit.Name, Path: s.unit.Path, Err: err}
	var (
		syntax    *goja.CompilerSyntaxError
		interrupt *goja.InterruptedError
		overflow  *goja.StackOverflowError
		exc       *goja.Exception
		already   *engine.ScriptError
	)
	switch {
	case errors.As(err, &already):
		return already
	case errors.As(err, &syntax):
		se.Kind = engine.KindSyntax
		se.Message, se.Line, se.Col = parseSyntax(syntax.Message)
		if syntax.File != nil {
			se.Path = syntax.File.Name()
			if se.Line == 0 {
				p := syntax.File.Position(syntax.Offset)
				se.Line, se.Col = p.Line, p.Column
			}
		}
		se.Col = unwrapCol(se.Line, se.Col)
		se.Message = "SyntaxError: " + se.Message
	case errors.As(err, &interrupt):
		se.Kind = engine.KindLimit
		var be *loop.BudgetError
		switch v := interrupt.Value().(type) {
		case error:
			se.Message = v.Error()
			switch {
			case errors.Is(v, watchdog.ErrHeapLimit):
				se.Message = "handler interrupted: process heap over limit"
			case !errors.As(v, &be):
				se.Message = "interrupted: " + v.Error()
			}
		default:
			se.Message = fmt.Sprintf("interrupted: %v", v)
		}
		s.locate(se, interrupt.Stack())
		se.Stack = stackText(interrupt.Stack())
	case errors.As(err, &overflow):
		se.Kind = engine.KindLimit
		se.Message = fmt.Sprintf("call stack exceeded %d frames (runaway recursion?)", s.maxStack())
		s.locate(se, overflow.Stack())
		se.Stack = stackText(firstFrames(overflow.Stack(), 10))
	case errors.As(err, &exc):
		if o, ok := exc.Value().(*goja.Object); ok && s.syntaxErrs[o] != nil {
			return s.syntaxErrs[o]
		}
		se.Message = valueMessage(exc.Value())
		s.locate(se, exc.Stack())
		if len(exc.Stack()) == 0 || se.Line == 0 {
			s.locateFromValue(se, exc.Value())
		}
		se.Stack = stackText(exc.Stack())
	default:
		se.Message = err.Error()
	}
	return se
}

// report logs a script error with its location, or hands it to Check.
func (s *script) report(se *engine.ScriptError) {
	if se == nil {
		return
	}
	if s.onError != nil {
		s.onError(se)
		return
	}
	attrs := []any{"kind", string(se.Kind), "error", se.Error()}
	if se.Stack != "" {
		attrs = append(attrs, "stack", se.Stack)
	}
	s.bs.Log.Error("script error", attrs...)
	if s.opts.onErr != nil {
		s.opts.onErr(se)
	}
}

// reportIn reports se and tells the invocation's delivery, if it wants to
// hear of failures.
func (s *script) reportIn(inv *invocation, se *engine.ScriptError) {
	s.report(se)
	if se != nil && s.onError == nil && inv != nil && inv.onErr != nil {
		inv.onErr(se)
	}
}

// trackRejection is goja's promise rejection tracker: a rejection stays
// pending until a handler is attached or the invocation ends.
func (s *script) trackRejection(p *goja.Promise, op goja.PromiseRejectionOperation) {
	switch op {
	case goja.PromiseRejectionReject:
		s.rejected = append(s.rejected, p)
	case goja.PromiseRejectionHandle:
		for i, q := range s.rejected {
			if q == p {
				s.rejected = append(s.rejected[:i], s.rejected[i+1:]...)
				break
			}
		}
	}
}

// flushRejections reports the promises rejected during inv that nothing
// handled, like Node's "unhandled promise rejection".
func (s *script) flushRejections(inv *invocation) {
	if len(s.rejected) == 0 {
		return
	}
	list := s.rejected
	s.rejected = nil
	for _, p := range list {
		reason := p.Result()
		se := &engine.ScriptError{Kind: engine.KindHandler, Script: s.unit.Name, Path: s.unit.Path,
			Message: "unhandled promise rejection: " + valueMessage(reason)}
		if o, ok := reason.(*goja.Object); ok {
			if st := o.Get("stack"); st != nil && !goja.IsUndefined(st) {
				se.Stack = st.String()
			}
			if isLimit(o) {
				se.Kind = engine.KindLimit
			} else if isBindingError(o) {
				se.Kind = engine.KindBinding
			}
		}
		s.locateFromValue(se, reason)
		s.reportIn(inv, se)
	}
}

func isLimit(o *goja.Object) bool {
	v := o.Get("code")
	return v != nil && v.String() == "LIMIT"
}

func isBindingError(o *goja.Object) bool {
	v := o.Get("status")
	return v != nil && !goja.IsUndefined(v)
}

// valueMessage renders a thrown value: "TypeError: x is not a function"
// for errors, the value itself otherwise.
func valueMessage(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) {
		return "undefined"
	}
	if o, ok := v.(*goja.Object); ok {
		if isBindingError(o) {
			return o.String() // "DELETE /x: 404 Unknown Message (code 10008)"
		}
		name, msg := o.Get("name"), o.Get("message")
		if msg != nil && !goja.IsUndefined(msg) {
			if name != nil && !goja.IsUndefined(name) {
				return name.String() + ": " + msg.String()
			}
			return msg.String()
		}
	}
	return v.String()
}

// locate takes the innermost frame that is in a script file.
func (s *script) locate(se *engine.ScriptError, stack []goja.StackFrame) {
	for i := range stack {
		f := &stack[i]
		p := f.Position()
		if p.Filename == "" || p.Line == 0 {
			continue
		}
		se.Path, se.Line, se.Col = p.Filename, p.Line, unwrapCol(p.Line, p.Column)
		return
	}
}

// frameRe matches a "file:line:col" stack position. It and syntaxRe are
// compiled on first use: a bot without JavaScript never needs them.
var frameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`([^\s()]+\.js):(\d+):(\d+)`) })

// locateFromValue reads the location from an error's stack property,
// which also carries the call site of a failed async binding.
func (s *script) locateFromValue(se *engine.ScriptError, v goja.Value) {
	o, ok := v.(*goja.Object)
	if !ok {
		return
	}
	st := o.Get("stack")
	if st == nil || goja.IsUndefined(st) {
		return
	}
	m := frameRe().FindStringSubmatch(st.String())
	if m == nil {
		return
	}
	line, _ := strconv.Atoi(m[2])
	col, _ := strconv.Atoi(m[3])
	se.Path, se.Line, se.Col = m[1], line, unwrapCol(line, col)
}

var syntaxRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`Line (\d+):(\d+) (.*)`) })

// parseSyntax reads goja's "file: Line 3:7 Unexpected token" form.
func parseSyntax(msg string) (text string, line, col int) {
	m := syntaxRe().FindStringSubmatch(msg)
	if m == nil {
		return msg, 0, 0
	}
	line, _ = strconv.Atoi(m[1])
	col, _ = strconv.Atoi(m[2])
	text = m[3]
	if i := strings.Index(text, " (and "); i > 0 {
		text = text[:i] // "(and N more errors)"
	}
	return text, line, col
}

func stackText(stack []goja.StackFrame) string {
	var b strings.Builder
	for i := range stack {
		f := &stack[i]
		p := f.Position()
		if p.Filename == "" {
			continue
		}
		name := f.FuncName()
		if name == "" {
			name = "<anonymous>"
		}
		fmt.Fprintf(&b, "%s (%s:%d:%d)\n", name, p.Filename, p.Line, unwrapCol(p.Line, p.Column))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func firstFrames(stack []goja.StackFrame, n int) []goja.StackFrame {
	if len(stack) > n {
		return stack[:n]
	}
	return stack
}
