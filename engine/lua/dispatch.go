package lua

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/jsondoc"
)

// dispatch runs the handlers of one delivery, each in its own coroutine.
// The event's view is built once and shared by this script's handlers.
func (s *script) dispatch(d *engine.Delivery) {
	if s.L == nil {
		return
	}
	ev := d.Event
	var data lua.LValue
	viewOf := func() lua.LValue {
		if data == nil {
			data = s.eventView(d)
		}
		return data
	}
	// The delivery hears of the first failure among its handlers, once.
	onErr := d.ReportFirst()
	if rt := ev.Route; rt != nil {
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
		var done func([]lua.LValue)
		if rt.Kind == "autocomplete" {
			done = func(rets []lua.LValue) { s.autocompleteResult(viewOf(), rets, onErr) }
		}
		s.invoke(c.fn, rt.Kind+" handler", []lua.LValue{viewOf()}, done, onErr)
		return
	}
	// Specific handlers (of the name and its aliases) run before "*" ones,
	// each group in registration order; "*" handlers see the event once.
	handlers := s.bs.Reg.HandlersFor(ev.Name, ev.Aliases)
	nameV := lua.LString(ev.Name)
	for _, h := range handlers {
		c, ok := h.Fn.(*callback)
		if !ok {
			continue
		}
		if h.Event == "*" {
			s.invoke(c.fn, s.handlerLabel(ev.Name), []lua.LValue{nameV, viewOf()}, nil, onErr)
		} else {
			s.invoke(c.fn, s.handlerLabel(ev.Name), []lua.LValue{viewOf()}, nil, onErr)
		}
	}
}

// eventView wraps the delivery's shared document with the method set of
// its event kind. Interaction extras are computed on first access.
func (s *script) eventView(d *engine.Delivery) lua.LValue {
	var root jsondoc.Value
	if d.Doc != nil {
		root = d.Doc.Root()
	} else if len(d.Event.Data) > 0 {
		if doc, err := jsondoc.Parse(d.Event.Data); err == nil {
			root = doc.Root()
		}
	}
	kind := bindings.KindOf(d.Event.Name)
	if kind == "" {
		return s.docValue(root)
	}
	obj := &bindings.Object{Kind: kind, Raw: d.Event.Data}
	ud := s.newView(root, obj)
	if kind == bindings.KindInteraction {
		ud.Value.(*view).extras = func() map[string]any { return bindings.EventExtras(kind, d.Event.Data) }
	}
	return ud
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
