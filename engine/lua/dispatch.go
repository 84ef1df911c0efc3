package lua

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
)

// dispatch runs the handlers of one delivery, each in its own coroutine.
// The event's view is built once, on first need, and shared by this
// script's handlers.
func (s *script) dispatch(d *engine.Delivery) {
	if s.L == nil {
		return
	}
	ev := &d.Event
	var data lua.LValue
	// The delivery hears of the first failure among its handlers, once.
	onErr := d.ReportFirst()
	if rt := ev.Route; rt != nil {
		s.dispatchRoute(d, rt, onErr)
		return
	}
	// Specific handlers (of the name and its aliases) run before "*" ones,
	// each group in registration order; "*" handlers see the event once.
	handlers := s.bs.Reg.HandlersFor(ev.Name, ev.Aliases)
	if len(handlers) == 0 {
		return
	}
	ei := s.eventInfo(ev.Name)
	defer s.forgetFields()
	var args [2]lua.LValue
	for _, h := range handlers {
		c, ok := h.Fn.(*callback)
		if !ok {
			continue
		}
		if data == nil {
			if data = s.eventView(d, ei); data == nil {
				return // malformed data, dropped
			}
		}
		if h.Event == "*" {
			args[0], args[1] = lua.LString(ev.Name), data
			s.invoke(c.fn, ei.label, args[:2], nil, onErr)
		} else {
			args[0] = data
			s.invoke(c.fn, ei.label, args[:1], nil, onErr)
		}
	}
}

// dispatchRoute runs the one handler an interaction was routed to.
func (s *script) dispatchRoute(d *engine.Delivery, rt *bindings.Route, onErr func(*engine.ScriptError)) {
	cb, ok := s.bs.Reg.Lookup(*rt)
	c, isLua := cb.(*callback)
	if !ok || !isLua {
		s.log.Warn("no handler for routed interaction", "kind", rt.Kind, "key", rt.Key)
		if onErr != nil {
			onErr(&engine.ScriptError{Kind: engine.KindHandler, Script: s.unit.Name, Path: s.unit.Path,
				Message: "no " + rt.Kind + " handler for " + rt.Key})
		}
		return
	}
	data := s.eventView(d, s.eventInfo(d.Event.Name))
	if data == nil { // malformed data, dropped
		if onErr != nil {
			onErr(engine.MalformedRouted(s.unit))
		}
		return
	}
	defer s.forgetFields()
	var done func([]lua.LValue)
	if rt.Kind == "autocomplete" {
		done = func(rets []lua.LValue) { s.autocompleteResult(data, rets, onErr) }
	}
	s.invoke(c.fn, rt.Kind+" handler", []lua.LValue{data}, done, onErr)
}

// eventView wraps the delivery's shared document with the method set of
// its event kind; it is nil (Go's, not Lua's) when the data is malformed
// and the event dropped. Interaction extras are computed on first access.
func (s *script) eventView(d *engine.Delivery, ei *eventInfo) lua.LValue {
	root, ok := d.Parsed(s.log)
	if !ok {
		return nil
	}
	if ei.kind == nil {
		return s.docValue(root)
	}
	// A message's Object is built from the view when a method needs it;
	// an interaction's carries its extras from the start.
	if ei.kind.name != bindings.KindInteraction {
		b := &eventBox{root: viewBox{vw: view{v: root, ob: &ei.kind.shared}}}
		s.first, s.firstOf = &b.first, &b.root.vw
		return s.initBox(&b.root)
	}
	data := root.Raw()
	b := &objBox{st: objState{kind: ei.kind}}
	b.vw = view{v: root, ob: &b.st}
	lz := &lazyObj{obj: bindings.Object{Kind: ei.kind.name, Raw: data}}
	lz.more.obj = &lz.obj
	lz.more.extras = func() map[string]any { return bindings.EventExtras(bindings.KindInteraction, data) }
	b.st.more = &lz.more
	return s.initBox(&b.viewBox)
}

// autocompleteResult answers an autocomplete interaction with the list its
// handler returned (the handler may also call ix:respond itself and
// return nothing).
func (s *script) autocompleteResult(ix lua.LValue, rets []lua.LValue, onErr func(*engine.ScriptError)) {
	if len(rets) == 0 || rets[0] == lua.LNil {
		return
	}
	respond := s.method(bindings.KindInteraction, "respond")
	fn, ok := respond.(*lua.LFunction)
	if !ok {
		return
	}
	s.invoke(fn, "autocomplete response", []lua.LValue{ix, rets[0]}, nil, onErr)
}
