package js

import (
	"math"
	"time"

	"github.com/dop251/goja"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/loop"
)

// run executes fn — one entry into the VM — under budget b. Only the time
// inside fn counts; a handler resumed after an await runs again under the
// same budget, so its total script time is bounded, not each stretch.
// Promise jobs queued by fn run before it returns (goja drains them when
// the outermost call returns), and rejections nobody handled are reported
// afterwards.
func (s *script) run(inv *invocation, fn func() (goja.Value, error)) (goja.Value, error) {
	e := s.enter(inv)
	v, err := fn()
	s.exit(inv, e, err)
	return v, err
}

// entry is what enter saved for exit.
type entry struct {
	prev *invocation
	at   armed // the watch of the invocation entered from, if any
}

// enter and exit bracket one entry into the VM (run without a closure,
// for the per-event path): between them inv is the running invocation
// and its budget counts.
func (s *script) enter(inv *invocation) entry {
	e := entry{prev: s.cur}
	s.cur = inv
	s.lendStack()
	rem := inv.budget.Begin()
	e.at = s.guard.arm(&inv.budget, inv.what, deadlineAfter(s.clock.last, rem))
	return e
}

// deadlineAfter is now+rem on the budget clock, saturating: a budget of
// centuries must not wrap into the past.
func deadlineAfter(now, rem time.Duration) time.Duration {
	if rem > math.MaxInt64-now {
		return math.MaxInt64
	}
	return now + rem
}

func (s *script) exit(inv *invocation, e entry, err error) {
	s.guard.disarm(e.at)
	s.vm.ClearInterrupt()
	if err != nil && isUncatchable(err) {
		resetStacks(s.vm)
	}
	inv.budget.End()
	s.reclaimStack()
	s.cur = e.prev
	s.flushRejections(inv)
}

// budgetTripped reports whether the running invocation is out of budget;
// size-checked built-ins poll it inside long native loops.
func (s *script) budgetTripped() bool { return s.guard.tripped.Load() }

// invocation is one handler call, callback or top-level load, with the
// CPU budget its resumptions after await share.
type invocation struct {
	budget loop.Budget
	what   string // "handler", "load": names the budget in errors
	// onErr hears of the invocation's errors after they are logged
	// (Delivery.OnError, reduced to its first report); nil for none.
	onErr func(*engine.ScriptError)
	// shared is set once something may use the invocation after its
	// call returned (an async binding's continuation); only an
	// invocation never shared is reused.
	shared bool
}

// newInvocation starts a handler or callback invocation.
func (s *script) newInvocation() *invocation {
	return &invocation{budget: *loop.NewBudget(s.lim.CPU, s.clock.now), what: "handler"}
}

// takeInvocation is newInvocation reusing the script's spare: most
// handlers finish without awaiting a binding, and their invocation is
// then free again once the call returns.
func (s *script) takeInvocation(onErr func(*engine.ScriptError)) *invocation {
	inv := s.spareInv
	if inv == nil {
		inv = s.newInvocation()
	} else {
		s.spareInv = nil
	}
	inv.onErr = onErr
	return inv
}

// releaseInvocation keeps inv as the spare unless something else may
// still use it.
func (s *script) releaseInvocation(inv *invocation) {
	if inv.shared || s.spareInv != nil {
		return
	}
	// Field by field: what is "handler" and shared false already.
	inv.budget = *loop.NewBudget(s.lim.CPU, s.clock.now)
	inv.onErr = nil
	s.spareInv = inv
}

// call invokes fn as a new invocation with its own budget and reports an
// error it raises. It returns fn's result (nil on error).
func (s *script) call(fn goja.Value, args []goja.Value) goja.Value {
	f, ok := goja.AssertFunction(fn)
	if !ok {
		return nil
	}
	return s.callFor(nil, f, args)
}

// callFor is call for a handler of a delivery: onErr, if not nil, also
// hears of the errors of the invocation, later rejections included. It
// runs without closures: this is the cost every event pays.
func (s *script) callFor(onErr func(*engine.ScriptError), f goja.Callable, args []goja.Value) goja.Value {
	inv := s.takeInvocation(onErr)
	e := s.enter(inv)
	v, err := f(goja.Undefined(), args...)
	s.exit(inv, e, err)
	if err != nil {
		s.reportIn(inv, s.toScriptError(engine.KindHandler, err))
		v = nil
	}
	s.releaseInvocation(inv)
	return v
}

// invoke runs a callback posted through Env.Post with Go arguments.
func (s *script) invoke(c *callback, args ...any) goja.Value {
	f, ok := c.callable()
	if !ok {
		return nil
	}
	out := make([]goja.Value, len(args))
	for i, a := range args {
		out[i] = s.toJS(a)
	}
	return s.callFor(nil, f, out)
}

// takeArgs lends the script's argument buffer for one handler call;
// goja copies arguments onto its own stack, so the buffer is free again
// once the call returns. A nested call finds it lent and allocates.
func (s *script) takeArgs() []goja.Value {
	a := s.argBuf
	s.argBuf = nil
	if a == nil {
		a = make([]goja.Value, 0, 2)
	}
	return a
}

// putArgs returns the buffer, cleared so that it keeps no event alive.
func (s *script) putArgs(a []goja.Value) {
	clear(a)
	s.argBuf = a[:0]
}

// dispatch runs the handlers of one event, each as its own invocation: an
// error or a CPU overrun in one does not stop the next.
func (s *script) dispatch(d *engine.Delivery) {
	ev := d.Event
	// The delivery hears of the first failure among its handlers, once.
	onErr := d.ReportFirst()
	if ev.Route != nil {
		s.dispatchRoute(d, onErr)
		return
	}
	// Handlers of the event's name and of its aliases run first, in that
	// order, then the "*" handlers, once per event.
	hs := s.bs.Reg.HandlersFor(ev.Name, ev.Aliases)
	var data goja.Value // built for the first handler, shared by the rest
	for _, h := range hs {
		c, ok := h.Fn.(*callback)
		if !ok || c.s != s {
			continue
		}
		f, ok := c.callable()
		if !ok {
			continue
		}
		if data == nil {
			if data = s.eventValue(d); data == nil {
				return // malformed data, dropped
			}
		}
		args := s.takeArgs()
		if h.Event == "*" {
			args = append(args, s.vm.ToValue(ev.Name))
		}
		args = append(args, data)
		s.callFor(onErr, f, args)
		s.putArgs(args)
	}
}

// dispatchRoute calls the one handler the host's router chose. An
// autocomplete handler answers by returning its choices (or a Promise of
// them); the engine passes them to ix.respond.
func (s *script) dispatchRoute(d *engine.Delivery, onErr func(*engine.ScriptError)) {
	rt := *d.Event.Route
	cb, ok := s.bs.Reg.Lookup(rt)
	c, isJS := cb.(*callback)
	if !ok || !isJS || c.s != s {
		s.bs.Log.Warn("no handler for routed interaction", "kind", rt.Kind, "key", rt.Key, "option", rt.Option)
		if onErr != nil {
			onErr(&engine.ScriptError{Kind: engine.KindHandler, Script: s.unit.Name, Path: s.unit.Path,
				Message: "no " + rt.Kind + " handler for " + rt.Key})
		}
		return
	}
	f, ok := c.callable()
	if !ok {
		return
	}
	ix := s.eventValue(d)
	if ix == nil { // malformed data, dropped
		if onErr != nil {
			onErr(engine.MalformedRouted(s.unit))
		}
		return
	}
	res := s.callFor(onErr, f, []goja.Value{ix})
	if rt.Kind != "autocomplete" || res == nil || goja.IsUndefined(res) || goja.IsNull(res) {
		return
	}
	s.answerAutocomplete(ix, res, onErr)
}

func (s *script) answerAutocomplete(ix, res goja.Value, onErr func(*engine.ScriptError)) {
	ixObj, ok := ix.(*goja.Object)
	if !ok {
		return
	}
	respond, ok := goja.AssertFunction(ixObj.Get("respond"))
	if !ok {
		return
	}
	answer := s.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		choices := call.Argument(0)
		if goja.IsUndefined(choices) || goja.IsNull(choices) {
			return goja.Undefined() // the handler answered itself
		}
		v, err := respond(ixObj, choices)
		if err != nil {
			panic(err)
		}
		return v
	})
	// Promise.resolve(res).then(answer) handles both plain lists and
	// Promises; a failure surfaces as an unhandled rejection report.
	inv := s.newInvocation()
	inv.onErr = onErr
	_, err := s.run(inv, func() (goja.Value, error) {
		promiseCtor := s.vm.Get("Promise").ToObject(s.vm)
		resolveFn, _ := goja.AssertFunction(promiseCtor.Get("resolve"))
		p, err := resolveFn(promiseCtor, res)
		if err != nil {
			return nil, err
		}
		then, _ := goja.AssertFunction(p.ToObject(s.vm).Get("then"))
		return then(p, answer)
	})
	if err != nil {
		s.reportIn(inv, s.toScriptError(engine.KindHandler, err))
	}
}

// eventValue builds the script's view of the event's data: a lazy
// read-only view of the shared jsondoc tree, with the methods of the
// event's kind; nil (Go's) when the data is malformed and the event
// dropped.
func (s *script) eventValue(d *engine.Delivery) goja.Value {
	root, ok := d.Parsed(s.bs.Log)
	if !ok {
		return nil
	}
	if d.Event.Name != s.lastEvent {
		s.lastEvent, s.lastEvKind = d.Event.Name, bindings.KindOf(d.Event.Name)
	}
	kind := s.lastEvKind
	if kind == "" {
		return s.view(root)
	}
	rv := &rootView{}
	rv.s, rv.v = s, root
	rv.methods = s.methodSet(kind)
	if kind == bindings.KindInteraction {
		// Extras are fields, needed at once; a message's Object is made
		// when a method or a binding needs it (see objView.object).
		raw := root.Raw()
		rv.obj = &bindings.Object{Kind: kind, Raw: raw, Extra: bindings.EventExtras(kind, raw)}
	}
	rv.spare = &rv.kid
	return s.vm.NewDynamicObject(&rv.objView)
}
