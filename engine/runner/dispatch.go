package runner

import (
	"errors"
	"sort"
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/jsondoc"
)

var nullJSON = []byte("null")

// overflowEvery is the minimum time between two queue-overflow reports of
// one script; events lost in between are counted, never silently dropped.
const overflowEvery = time.Second

// Dispatch delivers one platform event to every script subscribed to it (by
// name, by alias or with "*"), in script-name order, parsing its data once
// for all of them. A routed event (ev.Route set) goes only to the script
// that registered the route. Dispatch never blocks on a script: a full
// queue loses the event for that script alone, and the loss is reported.
func (r *Runner) Dispatch(ev bindings.Event) {
	data := ev.Data
	if len(data) == 0 {
		data = nullJSON
	}
	doc, err := jsondoc.Parse(data)
	if err != nil {
		r.log.Warn("dropping event with malformed data", "event", ev.Name, "error", err)
		return
	}
	d := &engine.Delivery{Event: ev, Doc: doc}

	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return
	}
	if ev.Route != nil {
		for _, s := range r.order {
			if _, ok := s.gen.script.Registry().Lookup(*ev.Route); ok {
				r.deliver(s, d)
				return
			}
		}
		r.log.Warn("no script handles this interaction", "event", ev.Name, "kind", ev.Route.Kind, "key", ev.Route.Key)
		return
	}
	for _, s := range r.order {
		if s.gen.wants(&d.Event) {
			r.deliver(s, d)
		}
	}
}

// DispatchTo delivers a routed event (an interaction the host's router
// assigned) to the named script only. onError, if not nil, is called when
// the handler it reaches fails, so the host can answer the user. It
// reports whether the script is loaded and took the event.
func (r *Runner) DispatchTo(script string, ev bindings.Event, onError func(*engine.ScriptError)) bool {
	data := ev.Data
	if len(data) == 0 {
		data = nullJSON
	}
	doc, err := jsondoc.Parse(data)
	if err != nil {
		r.log.Warn("dropping event with malformed data", "event", ev.Name, "error", err)
		return false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	s := r.slots[script]
	if r.closed || s == nil {
		return false
	}
	return r.deliver(s, &engine.Delivery{Event: ev, Doc: doc, OnError: onError})
}

// Owner returns the name of the script that registered rt, if any.
func (r *Runner) Owner(rt bindings.Route) (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, s := range r.order {
		if _, ok := s.gen.script.Registry().Lookup(rt); ok {
			return s.unit.Name, true
		}
	}
	return "", false
}

// deliver hands d to s's live generation. Caller holds r.mu shared.
func (r *Runner) deliver(s *slot, d *engine.Delivery) bool {
	err := s.gen.script.Deliver(d)
	switch {
	case err == nil:
		return true
	case errors.Is(err, engine.ErrQueueFull):
		s.dropped.Add(1)
		now := time.Now().UnixNano()
		last := s.lastReport.Load()
		if now-last >= int64(overflowEvery) && s.lastReport.CompareAndSwap(last, now) {
			lost := s.dropped.Swap(0)
			r.log.Warn("script event queue full; events dropped for this script only",
				"script", s.unit.Name, "event", d.Event.Name, "dropped", lost)
		}
	default:
		r.log.Debug("event not delivered", "script", s.unit.Name, "event", d.Event.Name, "error", err)
	}
	return false
}

// Events returns the sorted union of event names the loaded scripts are
// subscribed to.
func (r *Runner) Events() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	set := map[string]struct{}{}
	for _, s := range r.order {
		if p := s.gen.events.Load(); p != nil {
			for n := range *p {
				set[n] = struct{}{}
			}
		}
	}
	return sortedKeys(set)
}

// Routes returns each loaded script's component, modal and autocomplete
// routes, sorted.
func (r *Runner) Routes() map[string][]bindings.Route {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := map[string][]bindings.Route{}
	for _, s := range r.order {
		rts := s.gen.script.Registry().Routes()
		if len(rts) == 0 {
			continue
		}
		sort.Slice(rts, func(i, j int) bool {
			a, b := rts[i], rts[j]
			if a.Kind != b.Kind {
				return a.Kind < b.Kind
			}
			if a.Key != b.Key {
				return a.Key < b.Key
			}
			return a.Option < b.Option
		})
		out[s.unit.Name] = rts
	}
	return out
}

// Commands returns every command the loaded scripts declared, in script
// order then declaration order.
func (r *Runner) Commands() []Command {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Command
	for _, s := range r.order {
		for _, c := range s.gen.script.Registry().Commands() {
			out = append(out, Command{Script: s.unit.Name, Spec: c.Spec, Where: c.Where})
		}
	}
	return out
}
