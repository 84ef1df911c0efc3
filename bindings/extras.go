package bindings

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// EventExtras computes the fields scripts see on top of an event's raw
// data (Object.Extra). Only interactions have any: the invoked command's
// options flattened to name → value, the subcommand and group, the user
// whether the interaction came from a guild or a DM, select menu values,
// modal fields by custom_id, resolved with each member carrying its user,
// and for context-menu commands the target user or message. It returns
// nil for other kinds and for data it cannot parse (the raw data is still
// delivered).
func EventExtras(kind string, data json.RawMessage) map[string]any {
	if kind != KindInteraction || len(data) == 0 {
		return nil
	}
	var ix ixEvent
	if err := json.Unmarshal(data, &ix); err != nil {
		return nil
	}
	out := map[string]any{}
	d := ix.Data

	if len(ix.Member.User) > 0 && !isNull(ix.Member.User) {
		out["user"] = ix.Member.User
	} else if len(ix.User) > 0 && !isNull(ix.User) {
		out["user"] = ix.User
	}
	if d == nil {
		return out
	}
	if d.Name != "" {
		out["command"] = d.Name
	}

	// Options: descend through at most one group and one subcommand to
	// the leaf options the handler cares about.
	opts := d.Options
	for _, o := range opts {
		if o.Type == optGroup {
			out["group"] = o.Name
			opts = o.Options
			break
		}
	}
	for _, o := range opts {
		if o.Type == optSubcommand {
			out["subcommand"] = o.Name
			opts = o.Options
			break
		}
	}
	options := make(map[string]any, len(opts))
	for _, o := range opts {
		if o.Type == optSubcommand || o.Type == optGroup {
			continue
		}
		options[o.Name] = scalar(o.Value)
		if o.Focused {
			out["focused"] = o.Name
		}
	}
	if ix.Type == ixCommand || ix.Type == ixAutocomplete || len(options) > 0 {
		out["options"] = options
	}

	if d.CustomID != "" {
		out["custom_id"] = d.CustomID
	}
	if d.Values != nil {
		out["values"] = stringsToAny(d.Values)
	}
	if len(d.Components) > 0 && ix.Type == ixModalSubmit {
		fields := map[string]any{}
		collectFields(d.Components, fields, 0)
		out["fields"] = fields
	}
	if len(d.Resolved) > 0 && !isNull(d.Resolved) {
		resolved := mergeResolved(d.Resolved)
		out["resolved"] = resolved
		if d.TargetID != "" {
			if t := resolvedTarget(resolved, d.TargetID); t != nil {
				out["target"] = t
			}
		}
	}
	return out
}

// Application command option types that nest other options.
const (
	optSubcommand = 1
	optGroup      = 2
)

type ixEvent struct {
	Type   int             `json:"type"`
	User   json.RawMessage `json:"user"`
	Member struct {
		User json.RawMessage `json:"user"`
	} `json:"member"`
	Data *ixEventData `json:"data"`
}

type ixEventData struct {
	Name          string          `json:"name"`
	Options       []ixOption      `json:"options"`
	CustomID      string          `json:"custom_id"`
	ComponentType int             `json:"component_type"`
	Values        []string        `json:"values"`
	Components    []ixComponent   `json:"components"`
	Resolved      json.RawMessage `json:"resolved"`
	TargetID      string          `json:"target_id"`
}

type ixOption struct {
	Name    string          `json:"name"`
	Type    int             `json:"type"`
	Value   json.RawMessage `json:"value"`
	Options []ixOption      `json:"options"`
	Focused bool            `json:"focused"`
}

// ixComponent is a submitted modal component: an action row or label
// holding inputs, or an input with its value(s).
type ixComponent struct {
	Type       int           `json:"type"`
	CustomID   string        `json:"custom_id"`
	Value      *string       `json:"value"`
	Values     []string      `json:"values"`
	Components []ixComponent `json:"components"`
	Component  *ixComponent  `json:"component"`
}

// maxComponentDepth stops recursion on hostile nesting; real modals nest
// two levels.
const maxComponentDepth = 8

func collectFields(cs []ixComponent, out map[string]any, depth int) {
	if depth > maxComponentDepth {
		return
	}
	for _, c := range cs {
		switch {
		case c.CustomID != "" && c.Value != nil:
			out[c.CustomID] = *c.Value
		case c.CustomID != "" && c.Values != nil:
			out[c.CustomID] = stringsToAny(c.Values)
		}
		collectFields(c.Components, out, depth+1)
		if c.Component != nil {
			collectFields([]ixComponent{*c.Component}, out, depth+1)
		}
	}
}

func stringsToAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func isNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// scalar converts an option value to a boundary value: strings (ids
// included) stay strings, integers become int64, other numbers float64.
func scalar(raw json.RawMessage) any {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case 't':
		return true
	case 'f':
		return false
	case 'n':
		return nil
	case '{', '[':
		return json.RawMessage(raw)
	default:
		if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			return n
		}
		if f, err := strconv.ParseFloat(string(raw), 64); err == nil {
			return f
		}
	}
	return nil
}

// resolvedTarget finds the user or message a context-menu command was
// used on.
func resolvedTarget(resolved json.RawMessage, id string) json.RawMessage {
	var r struct {
		Users    map[string]json.RawMessage `json:"users"`
		Messages map[string]json.RawMessage `json:"messages"`
	}
	if json.Unmarshal(resolved, &r) != nil {
		return nil
	}
	if m, ok := r.Messages[id]; ok {
		return m
	}
	return r.Users[id]
}

// mergeResolved gives each resolved member its user: the platform sends
// members without user and the users separately.
func mergeResolved(raw json.RawMessage) json.RawMessage {
	var r map[string]json.RawMessage
	if json.Unmarshal(raw, &r) != nil {
		return raw
	}
	var members, users map[string]map[string]json.RawMessage
	if json.Unmarshal(r["members"], &members) != nil || len(members) == 0 ||
		json.Unmarshal(r["users"], &users) != nil {
		return raw
	}
	for id, m := range members {
		if m == nil {
			continue
		}
		if _, has := m["user"]; has {
			continue
		}
		if u, ok := users[id]; ok {
			ub, err := json.Marshal(u)
			if err == nil {
				m["user"] = ub
			}
		}
	}
	mb, err := json.Marshal(members)
	if err != nil {
		return raw
	}
	r["members"] = mb
	out, err := json.Marshal(r)
	if err != nil {
		return raw
	}
	return out
}
