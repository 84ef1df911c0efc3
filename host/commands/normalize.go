package commands

import (
	"encoding/json"
	"sort"
)

// The platform echoes a registered command with defaults filled in and
// unknown fields dropped. Comparing what scripts declare with what is
// registered therefore goes through one canonical form: known fields only,
// defaults removed, empty collections removed, numbers as float64. Fields
// the platform assigns (id, application_id, version, guild_id) are not part
// of it.

// commandKeys are the command fields that take part in the comparison.
var commandKeys = map[string]bool{
	"type": true, "name": true, "name_localizations": true,
	"description": true, "description_localizations": true,
	"options": true, "default_member_permissions": true,
	"dm_permission": true, "nsfw": true, "contexts": true,
	"integration_types": true,
}

var optionKeys = map[string]bool{
	"type": true, "name": true, "name_localizations": true,
	"description": true, "description_localizations": true,
	"required": true, "choices": true, "options": true,
	"channel_types": true, "min_value": true, "max_value": true,
	"min_length": true, "max_length": true, "autocomplete": true,
}

var choiceKeys = map[string]bool{"name": true, "name_localizations": true, "value": true}

// serverDefaulted are fields the platform fills in with values that depend
// on the application's install settings. When the declared spec leaves one
// out, whatever the platform reports for it is accepted.
var serverDefaulted = []string{"contexts", "integration_types", "dm_permission"}

// Normalize returns the canonical form of a command object, declared or
// echoed by the platform. It is what sync compares and what it sends.
func Normalize(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if !commandKeys[k] || isEmpty(v) {
			continue
		}
		out[k] = v
	}
	if t, ok := out["type"].(float64); !ok || t == ChatInput {
		out["type"] = float64(ChatInput)
	}
	if out["type"] != float64(ChatInput) {
		delete(out, "description")
		delete(out, "description_localizations")
		delete(out, "options")
	}
	if out["nsfw"] == false {
		delete(out, "nsfw")
	}
	// dm_permission defaults to true and only means something globally.
	if out["dm_permission"] == true {
		delete(out, "dm_permission")
	}
	if opts, ok := out["options"].([]any); ok {
		out["options"] = normalizeOptions(opts)
	}
	return out
}

func normalizeOptions(list []any) []any {
	out := make([]any, 0, len(list))
	for _, o := range list {
		om, ok := o.(map[string]any)
		if !ok {
			continue
		}
		n := make(map[string]any, len(om))
		for k, v := range om {
			if !optionKeys[k] || isEmpty(v) || v == false {
				continue
			}
			n[k] = v
		}
		if sub, ok := n["options"].([]any); ok {
			n["options"] = normalizeOptions(sub)
		}
		if ch, ok := n["choices"].([]any); ok {
			cs := make([]any, 0, len(ch))
			for _, c := range ch {
				cm, ok := c.(map[string]any)
				if !ok {
					continue
				}
				nc := map[string]any{}
				for k, v := range cm {
					if choiceKeys[k] && !isEmpty(v) {
						nc[k] = v
					}
				}
				cs = append(cs, nc)
			}
			n["choices"] = cs
		}
		out = append(out, n)
	}
	return out
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// cmdKey identifies a command within a scope: names are unique per type.
type cmdKey struct {
	Type int
	Name string
}

func keyOf(m map[string]any) cmdKey { return cmdKey{cmdType(m), str(m, "name")} }

// sameSet reports whether the declared commands (canonical) equal the
// registered ones (canonical), ignoring command order and the fields the
// platform defaults when the declaration leaves them out.
func sameSet(declared, registered []map[string]any) bool {
	if len(declared) != len(registered) {
		return false
	}
	reg := make(map[cmdKey]map[string]any, len(registered))
	for _, r := range registered {
		reg[keyOf(r)] = r
	}
	if len(reg) != len(registered) {
		return false
	}
	for _, d := range declared {
		r, ok := reg[keyOf(d)]
		if !ok {
			return false
		}
		if len(serverDefaulted) > 0 {
			r = stripUndeclared(d, r)
		}
		if canonicalJSON(d) != canonicalJSON(r) {
			return false
		}
	}
	return true
}

func stripUndeclared(d, r map[string]any) map[string]any {
	var c map[string]any
	for _, k := range serverDefaulted {
		if _, declared := d[k]; declared {
			continue
		}
		if _, there := r[k]; there {
			if c == nil {
				c = make(map[string]any, len(r))
				for k2, v := range r {
					c[k2] = v
				}
			}
			delete(c, k)
		}
	}
	if c == nil {
		return r
	}
	return c
}

// canonicalJSON is a stable encoding: encoding/json sorts map keys.
func canonicalJSON(m map[string]any) string {
	b, err := json.Marshal(m)
	if err != nil {
		return "!" + err.Error()
	}
	return string(b)
}

// sortedKeys is used where map iteration order would leak into output.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
