package bindings

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Handler is one on/once subscription.
type Handler struct {
	Event string // dispatch name or "*"
	Fn    Callback
	Once  bool

	reg *Registry
	id  uint64
}

// Off removes the subscription; calling it twice is harmless.
func (h *Handler) Off() { h.reg.remove(h) }

// Command is one command(spec, fn) declaration.
type Command struct {
	// Spec is the application command object as the script wrote it
	// (name, description, options, type, guild_ids, ...).
	Spec map[string]any
	Fn   Callback
	// Where is "path:line" of the declaring call, for validation errors.
	Where string
}

// Route tells the engine which registered handler receives an interaction
// event, as decided by the host's router. Kinds: "command", "component",
// "modal", "autocomplete".
type Route struct {
	Kind string
	// Key is the command name (command, autocomplete), the component
	// prefix, or the modal custom_id, as registered.
	Key string
	// Option is the focused option for autocomplete.
	Option string
}

// Registry holds what one script generation declared: event handlers,
// commands, component/modal/autocomplete handlers. Scripts mutate it on
// their VM goroutine; the runner reads it from others, hence the mutex.
type Registry struct {
	mu       sync.Mutex // guards everything below
	next     uint64
	handlers map[string][]*Handler // event name → handlers in registration order
	commands []*Command
	routes   map[Route]Callback // component, modal, autocomplete handlers
	onChange func()

	// plain answers HandlersFor without the lock for the events whose
	// handlers need nothing done as they are handed out: event name →
	// its handlers (capped), for every event without once-handlers, and
	// nil while there are "*" handlers. Replaced, never changed, under mu
	// whenever handlers changes.
	plain atomic.Pointer[map[string][]*Handler]
}

// NewRegistry returns an empty registry. onChange, if not nil, is called
// (outside the lock) whenever the set of subscribed event names or commands
// changes after load, so the runner can recompute intents.
func NewRegistry(onChange func()) *Registry {
	return &Registry{handlers: map[string][]*Handler{}, routes: map[Route]Callback{}, onChange: onChange}
}

// On subscribes fn to event ("*" for every dispatch).
func (r *Registry) On(event string, fn Callback, once bool) *Handler {
	r.mu.Lock()
	r.next++
	h := &Handler{Event: event, Fn: fn, Once: once, reg: r, id: r.next}
	isNew := len(r.handlers[event]) == 0
	r.handlers[event] = append(r.handlers[event], h)
	r.publishLocked()
	r.mu.Unlock()
	if isNew && r.onChange != nil {
		r.onChange()
	}
	return h
}

func (r *Registry) remove(h *Handler) {
	r.mu.Lock()
	list := r.handlers[h.Event]
	i := slices.Index(list, h)
	if i < 0 {
		r.mu.Unlock()
		return
	}
	list = slices.Delete(slices.Clone(list), i, i+1)
	if len(list) == 0 {
		delete(r.handlers, h.Event)
	} else {
		r.handlers[h.Event] = list
	}
	r.publishLocked()
	gone := len(list) == 0
	r.mu.Unlock()
	if gone && r.onChange != nil {
		r.onChange()
	}
}

// Handlers returns the handlers for one dispatch, specific ones first then
// "*" ones, each in registration order. Once-handlers are removed as they
// are returned. The slice is a snapshot the caller may keep.
func (r *Registry) Handlers(event string) []*Handler {
	return r.HandlersFor(event, nil)
}

// HandlersFor is Handlers for an event that scripts may also know by other
// names: the handlers of event, then those of each alias in order, then the
// "*" ones, so a "*" handler sees the event once.
func (r *Registry) HandlersFor(event string, aliases []string) []*Handler {
	if len(aliases) == 0 {
		// Every delivery asks, and handlers rarely change: most answers
		// come from the published table, without the lock.
		if plain := r.plain.Load(); plain != nil {
			if list, ok := (*plain)[event]; ok {
				return list
			}
		}
	}
	r.mu.Lock()
	n := len(r.handlers[event]) + len(r.handlers["*"])
	for _, a := range aliases {
		n += len(r.handlers[a])
	}
	if n == 0 {
		r.mu.Unlock()
		return nil
	}
	// The common case, only the event's own handlers and none of them
	// once, hands out the registry's slice itself: On and remove never
	// write where a handed-out slice can see (remove copies, On appends
	// past its length), and the capped capacity makes a caller's append
	// copy. This keeps dispatch free of an allocation per event.
	if own := r.handlers[event]; len(own) == n && !slices.ContainsFunc(own, isOnce) {
		r.mu.Unlock()
		return own[:n:n]
	}
	out := make([]*Handler, 0, n)
	out = append(out, r.handlers[event]...)
	for _, a := range aliases {
		if a != "*" {
			out = append(out, r.handlers[a]...)
		}
	}
	out = append(out, r.handlers["*"]...)
	r.mu.Unlock()
	for _, h := range out {
		if h.Once {
			h.Off()
		}
	}
	return out
}

func isOnce(h *Handler) bool { return h.Once }

// publishLocked replaces the table HandlersFor reads without the lock.
func (r *Registry) publishLocked() {
	if len(r.handlers["*"]) > 0 {
		r.plain.Store(nil)
		return
	}
	m := make(map[string][]*Handler, len(r.handlers))
	for event, list := range r.handlers {
		if !slices.ContainsFunc(list, isOnce) {
			m[event] = list[:len(list):len(list)]
		}
	}
	r.plain.Store(&m)
}

// Events returns the sorted event names with at least one handler
// (including "*").
func (r *Registry) Events() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.handlers))
	for name := range r.handlers {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// AddCommand records a command declaration.
func (r *Registry) AddCommand(c *Command) {
	r.mu.Lock()
	r.commands = append(r.commands, c)
	r.mu.Unlock()
	if r.onChange != nil {
		r.onChange()
	}
}

// Commands returns the declared commands in declaration order.
func (r *Registry) Commands() []*Command {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.commands)
}

// SetRoute registers the handler of a component prefix, modal id or
// autocomplete option.
func (r *Registry) SetRoute(rt Route, fn Callback) {
	r.mu.Lock()
	r.routes[rt] = fn
	r.mu.Unlock()
}

// Lookup finds the handler for a route: commands by name, autocomplete by
// (command, option), modals by exact custom_id, components by the longest
// registered prefix of Key.
func (r *Registry) Lookup(rt Route) (Callback, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch rt.Kind {
	case "command":
		for _, c := range r.commands {
			if name, _ := c.Spec["name"].(string); name == rt.Key {
				return c.Fn, true
			}
		}
		return nil, false
	case "component":
		var best Callback
		bestLen := -1
		for k, fn := range r.routes {
			if k.Kind == "component" && strings.HasPrefix(rt.Key, k.Key) && len(k.Key) > bestLen {
				best, bestLen = fn, len(k.Key)
			}
		}
		return best, best != nil
	default:
		fn, ok := r.routes[rt]
		return fn, ok
	}
}

// Routes returns the registered component, modal and autocomplete routes.
func (r *Registry) Routes() []Route {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Route, 0, len(r.routes))
	for k := range r.routes {
		out = append(out, k)
	}
	return out
}
