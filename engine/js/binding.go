package js

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/dop251/goja"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
)

// bindingFunc adapts one binding to a JS function. this is the receiver
// of a method (nil for globals). Sync bindings run inline; async ones run
// on their own goroutine and settle a Promise back on the loop, so the
// script handles other events while they wait.
func (s *script) bindingFunc(f bindings.Func, this *bindings.Object) goja.Value {
	return s.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		args, err := s.argsFromJS(call.Arguments)
		if err != nil {
			panic(s.newError(s.typeErrCtor, f.Name+": "+err.Error()))
		}
		c := &bindings.Call{Ctx: s.loop.Context(), Script: s.bs, This: this, Args: args}
		if !f.Async {
			c.Where = s.whereFn
			res, err := f.Fn(c)
			if s.check && errors.Is(err, bindings.ErrNotConnected) {
				res, err = nil, nil
			}
			if err != nil {
				panic(s.jsError(err, ""))
			}
			return s.toJS(res)
		}
		// The call site is read now: the binding runs off the loop.
		at := s.callSite()
		c.Where = at.text
		release, err := s.loop.Acquire()
		if err != nil {
			// Like every failure of an async binding, the limit rejects
			// the Promise rather than throwing.
			p, _, reject := s.vm.NewPromise()
			if rerr := reject(s.jsError(&limitError{f.Name, err}, at.text())); rerr != nil {
				panic(rerr)
			}
			return s.vm.ToValue(p)
		}
		done := s.loop.Busy()
		p, resolve, reject := s.vm.NewPromise()
		inv := s.cur
		if inv == nil {
			inv = s.newInvocation()
		}
		inv.shared = true // the continuation below runs under it later
		go func() {
			res, err := f.Fn(c)
			if s.check && errors.Is(err, bindings.ErrNotConnected) {
				res, err = nil, nil // botrun check: no platform is no failure
			}
			posted := s.loop.Post(func() {
				release()
				done()
				_, rerr := s.run(inv, func() (goja.Value, error) {
					if err != nil {
						return nil, reject(s.jsError(err, at.text()))
					}
					return nil, resolve(s.toJS(res))
				})
				if rerr != nil {
					s.reportIn(inv, s.toScriptError(engine.KindHandler, rerr))
				}
			})
			if !posted {
				release()
				done()
			}
		}()
		return s.vm.ToValue(p)
	})
}

// where is the script location of the innermost script frame, for
// bindings.Call.Where and error call sites: "ping.js:12:5".
func (s *script) where() string { return s.callSite().text() }

// callSite finds the innermost script frame. The frames are read into a
// buffer the script keeps, so an async binding call does not allocate
// them; the text is made only when asked for.
func (s *script) callSite() site {
	s.frames = s.vm.CaptureCallStack(0, s.frames[:0])
	defer clear(s.frames) // keep no programs of this call alive
	for i := range s.frames {
		p := s.frames[i].Position()
		if p.Filename != "" && p.Line > 0 {
			return site{frame: s.frames[i], ok: true, path: s.unit.Path}
		}
	}
	return site{path: s.unit.Path}
}

// site is a call site: a script frame, or the entry file when none was
// found. text may be called from any goroutine (goja locks the file's
// line table).
type site struct {
	frame goja.StackFrame
	ok    bool
	path  string
}

func (c site) text() string {
	if !c.ok {
		return c.path
	}
	p := c.frame.Position()
	return p.Filename + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(unwrapCol(p.Line, p.Column))
}

// jsError turns a binding failure into the value a script catches:
// usage errors are TypeErrors, platform errors Errors carrying status,
// code and message, limit errors carry code "LIMIT". where, when set,
// becomes the stack so reports point at the call site.
func (s *script) jsError(err error, where string) *goja.Object {
	var (
		usage *bindings.UsageError
		api   *bindings.APIError
		o     *goja.Object
	)
	switch {
	case errors.As(err, &api):
		o = s.newError(s.errorCtor, api.Message)
		full := api.Error()
		o.DefineDataProperty("toString", s.vm.ToValue(func(goja.FunctionCall) goja.Value { return s.vm.ToValue(full) }),
			goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		o.Set("name", "APIError")
		o.Set("status", api.Status)
		o.Set("code", api.Code)
		o.Set("method", api.Method)
		o.Set("path", api.Path)
		if len(api.Errors) > 0 {
			o.Set("errors", s.toJS(api.Errors))
		}
	case errors.As(err, &usage):
		o = s.newError(s.typeErrCtor, usage.Error())
	case errors.As(err, new(*limitError)):
		o = s.newError(s.typeErrCtor, err.Error())
	case errors.Is(err, context.Canceled) || errors.Is(err, errClosing):
		o = s.newError(s.errorCtor, "cancelled: the script is being unloaded")
	default:
		o = s.newError(s.errorCtor, err.Error())
	}
	if errors.Is(err, bindings.ErrLimit) {
		o.Set("code", "LIMIT")
	}
	if where != "" {
		name, msg := o.Get("name"), o.Get("message")
		o.Set("stack", fmt.Sprintf("%s: %s\n\tat %s", name, msg, where))
	}
	return o
}

// limitError is a binding refused at the pending-operations cap: a
// TypeError carrying code "LIMIT".
type limitError struct {
	fn  string
	err error
}

func (e *limitError) Error() string {
	return e.fn + ": too many pending operations and timers: " + e.err.Error()
}
func (e *limitError) Unwrap() error { return e.err }
