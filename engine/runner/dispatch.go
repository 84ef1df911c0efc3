package runner

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
)

// overflowEvery is the minimum time between two queue-overflow reports of
// one script; events lost in between are counted, never silently dropped.
const overflowEvery = time.Second

// Dispatch delivers one platform event to every script subscribed to it (by
// name, by alias or with "*"), in script-name order, parsing its data once
// for all of them. A routed event (ev.Route set) goes only to the script
// that registered the route.
//
// A script whose queue is full holds Dispatch until the script has room
// again (back-pressure): the event is not lost, and the caller (the
// gateway's read loop) stops reading, so the platform's connection slows
// the event source down. Dispatch does not hold the runner's lock while it
// waits, so reloads go on; it gives up waiting only when the script or the
// runner closes.
//
// Dispatch does not keep ev.Data: the caller may reuse its buffer as soon
// as Dispatch returns (the gateway lends its read buffer).
func (r *Runner) Dispatch(ev bindings.Event) {
	r.mu.RLock()
	if r.closed {
		r.mu.RUnlock()
		return
	}
	if ev.Route != nil {
		for _, s := range r.order {
			if _, ok := s.gen.script.Registry().Lookup(*ev.Route); ok {
				if _, locked := r.deliverLocked(s, engine.NewDelivery(ev, nil)); locked {
					r.mu.RUnlock()
				}
				return
			}
		}
		r.mu.RUnlock()
		r.log.Warn("no script handles this interaction", "event", ev.Name, "kind", ev.Route.Kind, "key", ev.Route.Key)
		return
	}
	// The data is copied when the first script wants the event, and
	// parsed when the first script reads it (engine.Delivery.Root), so an
	// event no script subscribes to (a large GUILD_CREATE, say) costs
	// neither.
	var d *engine.Delivery
	for i := 0; i < len(r.order); i++ {
		s := r.order[i]
		if !s.gen.wants(&ev) {
			continue
		}
		if d == nil {
			d = engine.NewDelivery(ev, nil)
		}
		if _, locked := r.deliverLocked(s, d); !locked {
			return // the runner closed while this script was full
		}
		// deliverLocked may have let go of the lock to wait, and the
		// scripts may have changed meanwhile: go on after this one's name.
		if i >= len(r.order) || r.order[i] != s {
			i = sort.Search(len(r.order), func(j int) bool { return r.order[j].unit.Name > s.unit.Name }) - 1
		}
	}
	r.mu.RUnlock()
}

// DispatchTo delivers a routed event (an interaction the host's router
// assigned) to the named script only. onError, if not nil, is called when
// the handler it reaches fails, so the host can answer the user. It
// reports whether the script is loaded and took the event. Like Dispatch,
// it does not keep ev.Data.
func (r *Runner) DispatchTo(script string, ev bindings.Event, onError func(*engine.ScriptError)) bool {
	d := engine.NewDelivery(ev, onError)
	r.mu.RLock()
	s := r.slots[script]
	if r.closed || s == nil {
		r.mu.RUnlock()
		return false
	}
	took, locked := r.deliverLocked(s, d)
	if locked {
		r.mu.RUnlock()
	}
	return took
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

// queueWaiter is what a full script queue's error offers (see
// loop.QueueFullError): a way to wait for room.
type queueWaiter interface {
	Wait(ctx context.Context) error
}

// waiterOf returns the way to wait for room that a full queue's error
// offers, or nil. (A function of its own so that the errors.As target
// escapes to the heap only on this path, not on every delivery.)
func waiterOf(err error) queueWaiter {
	var w queueWaiter
	if errors.Is(err, engine.ErrQueueFull) && errors.As(err, &w) {
		return w
	}
	return nil
}

// deliverLocked hands d to s's live generation, waiting for room while its
// queue is full, and reports whether the script took it. The caller holds
// r.mu shared; deliverLocked lets go of it while it waits and holds it
// again on return unless locked is false, which means the runner closed
// meanwhile. A generation that closes while Dispatch waits (a reload) is
// replaced by the slot's next one, which gets the event; a script that is
// gone gets nothing.
func (r *Runner) deliverLocked(s *slot, d *engine.Delivery) (took, locked bool) {
	name := s.unit.Name
	var waited time.Duration
	for {
		err := s.gen.script.Deliver(d)
		if err == nil {
			s.delivered(r, waited)
			return true, true
		}
		w := waiterOf(err)
		switch {
		case w != nil:
		case errors.Is(err, engine.ErrQueueFull):
			// an engine that cannot wait: the event is lost for this script
			r.reportDrop(s, d)
			return false, true
		default:
			r.log.Debug("event not delivered", "script", name, "event", d.Event.Name, "error", err)
			return false, true
		}
		r.mu.RUnlock()
		start := time.Now()
		werr := w.Wait(r.ctx)
		waited += time.Since(start)
		r.mu.RLock()
		if r.closed || (werr != nil && !errors.Is(werr, engine.ErrClosed)) {
			r.mu.RUnlock()
			return false, false
		}
		// the generation may have been swapped (reload) or the script
		// removed while the lock was free
		if s = r.slots[name]; s == nil {
			return false, true
		}
	}
}

// delivered notes how long an event waited for room in s's queue, and
// tells the user, at most once per overflowEvery, that a script is holding
// the bot's intake back.
func (s *slot) delivered(r *Runner, waited time.Duration) {
	if waited == 0 {
		return
	}
	s.waited.Add(int64(waited))
	s.held.Add(1)
	now := time.Now().UnixNano()
	last := s.lastReport.Load()
	if now-last >= int64(overflowEvery) && s.lastReport.CompareAndSwap(last, now) {
		held, total := s.held.Swap(0), time.Duration(s.waited.Swap(0))
		r.log.Warn("script is slower than its events arrive; reading events paused until its queue has room",
			"script", s.unit.Name, "events", held, "waited", total.Round(time.Millisecond))
	}
}

// reportDrop counts an event lost to a full queue and reports the losses at
// most once per overflowEvery.
func (r *Runner) reportDrop(s *slot, d *engine.Delivery) {
	s.dropped.Add(1)
	now := time.Now().UnixNano()
	last := s.lastReport.Load()
	if now-last >= int64(overflowEvery) && s.lastReport.CompareAndSwap(last, now) {
		lost := s.dropped.Swap(0)
		r.log.Warn("script event queue full; events dropped for this script only",
			"script", s.unit.Name, "event", d.Event.Name, "dropped", lost)
	}
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
