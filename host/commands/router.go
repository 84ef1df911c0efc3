package commands

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Kind is what kind of handler an interaction goes to. The values are the
// route kinds scripts register under.
type Kind string

const (
	KindCommand      Kind = "command"
	KindComponent    Kind = "component"
	KindModal        Kind = "modal"
	KindAutocomplete Kind = "autocomplete"
)

// Interaction types.
const (
	TypePing         = 1
	TypeCommand      = 2
	TypeComponent    = 3
	TypeAutocomplete = 4
	TypeModalSubmit  = 5
)

// Target is where an interaction goes: the owner and, within it, the
// handler (Key is the command name, component prefix or modal custom_id;
// Option is the focused option of an autocomplete).
type Target struct {
	Owner  string
	Kind   Kind
	Key    string
	Option string
}

// AutocompleteKey names an autocomplete handler.
type AutocompleteKey struct {
	Command string
	Option  string
}

// Handlers are the non-command interaction handlers an owner declares.
type Handlers struct {
	// Components are custom_id prefixes; the longest matching prefix wins.
	Components []string
	// Modals are exact custom_ids.
	Modals       []string
	Autocomplete []AutocompleteKey
}

// Router maps interactions to owners. Commands are matched by the id
// learned at sync, falling back to (guild scope, type, name), so a guild
// command and a global command of the same name never cross.
type Router struct {
	mu       sync.RWMutex // guards everything below
	byID     map[string]commandRoute
	byName   map[scopedKey]string // → owner
	handlers map[string]Handlers
	order    map[string]uint64 // owner → first SetHandlers, earliest wins ties
	nextSeq  uint64
}

// commandRoute is what a registered command id stands for. The owner is
// looked up in the name table at routing time, so an id learned at the
// last sync never routes to a script that has since given the name up.
type commandRoute struct {
	scope Scope
	key   cmdKey
}

func newRouter() *Router {
	return &Router{byID: map[string]commandRoute{}, byName: map[scopedKey]string{},
		handlers: map[string]Handlers{}, order: map[string]uint64{}}
}

func (r *Router) setIDs(ids map[string]commandRoute) {
	r.mu.Lock()
	r.byID = ids
	r.mu.Unlock()
}

func (r *Router) setNames(names map[scopedKey]string) {
	r.mu.Lock()
	r.byName = names
	r.mu.Unlock()
}

// SetHandlers replaces owner's component, modal and autocomplete handlers.
// A component prefix or modal id another owner already declared is
// reported; the earlier owner keeps it.
func (r *Router) SetHandlers(owner string, h Handlers) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.order[owner]; !ok {
		r.nextSeq++
		r.order[owner] = r.nextSeq
	}
	r.handlers[owner] = h
	var problems []string
	for other, oh := range r.handlers {
		if other == owner || r.order[other] > r.order[owner] {
			continue
		}
		for _, p := range h.Components {
			for _, q := range oh.Components {
				if p == q {
					problems = append(problems, fmt.Sprintf("component prefix %q is already handled by %s", p, other))
				}
			}
		}
		for _, p := range h.Modals {
			for _, q := range oh.Modals {
				if p == q {
					problems = append(problems, fmt.Sprintf("modal %q is already handled by %s", p, other))
				}
			}
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// RemoveHandlers forgets owner's component, modal and autocomplete
// handlers.
func (r *Router) RemoveHandlers(owner string) {
	r.mu.Lock()
	delete(r.handlers, owner)
	delete(r.order, owner)
	r.mu.Unlock()
}

// wireInteraction is the part of an interaction routing needs.
type wireInteraction struct {
	Type    int    `json:"type"`
	GuildID string `json:"guild_id"`
	Data    struct {
		ID       string       `json:"id"`
		Name     string       `json:"name"`
		Type     int          `json:"type"`
		GuildID  string       `json:"guild_id"`
		CustomID string       `json:"custom_id"`
		Options  []wireOption `json:"options"`
	} `json:"data"`
}

type wireOption struct {
	Name    string       `json:"name"`
	Type    int          `json:"type"`
	Focused bool         `json:"focused"`
	Options []wireOption `json:"options"`
}

// Route decides which owner and handler receive an interaction. It returns
// false for interactions nobody handles (unknown or stale command, no
// matching component prefix, pings); the caller then answers with
// [Responder.Unavailable].
func (r *Router) Route(raw json.RawMessage) (Target, bool) {
	var ix wireInteraction
	if json.Unmarshal(raw, &ix) != nil {
		return Target{}, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	switch ix.Type {
	case TypeCommand, TypeAutocomplete:
		owner, name, ok := r.command(&ix)
		if !ok {
			return Target{}, false
		}
		if ix.Type == TypeCommand {
			return Target{Owner: owner, Kind: KindCommand, Key: name}, true
		}
		opt := focused(ix.Data.Options)
		for _, k := range r.handlers[owner].Autocomplete {
			if k.Command == name && k.Option == opt {
				return Target{Owner: owner, Kind: KindAutocomplete, Key: name, Option: opt}, true
			}
		}
		return Target{}, false
	case TypeComponent:
		best, bestOwner, bestSeq := -1, "", uint64(0)
		for owner, h := range r.handlers {
			for _, p := range h.Components {
				if !strings.HasPrefix(ix.Data.CustomID, p) {
					continue
				}
				seq := r.order[owner]
				if len(p) > best || (len(p) == best && seq < bestSeq) {
					best, bestOwner, bestSeq = len(p), owner, seq
				}
			}
		}
		if best < 0 {
			return Target{}, false
		}
		key := ix.Data.CustomID[:best]
		return Target{Owner: bestOwner, Kind: KindComponent, Key: key}, true
	case TypeModalSubmit:
		found, foundSeq := "", uint64(0)
		for owner, h := range r.handlers {
			for _, m := range h.Modals {
				if m == ix.Data.CustomID && (found == "" || r.order[owner] < foundSeq) {
					found, foundSeq = owner, r.order[owner]
				}
			}
		}
		if found == "" {
			return Target{}, false
		}
		return Target{Owner: found, Kind: KindModal, Key: ix.Data.CustomID}, true
	}
	return Target{}, false
}

func (r *Router) command(ix *wireInteraction) (owner, name string, ok bool) {
	if c, ok := r.byID[ix.Data.ID]; ok && ix.Data.ID != "" {
		owner, ok = r.byName[scopedKey{c.scope, c.key}]
		return owner, c.key.Name, ok
	}
	typ := ix.Data.Type
	if typ == 0 {
		typ = ChatInput
	}
	// data.guild_id is set only for guild-registered commands; the
	// interaction's own guild_id says where it was used, not where the
	// command lives.
	owner, ok = r.byName[scopedKey{Scope(ix.Data.GuildID), cmdKey{typ, ix.Data.Name}}]
	return owner, ix.Data.Name, ok
}

func focused(opts []wireOption) string {
	for _, o := range opts {
		if o.Focused {
			return o.Name
		}
		if n := focused(o.Options); n != "" {
			return n
		}
	}
	return ""
}
