package commands

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Command types.
const (
	ChatInput = 1
	User      = 2
	Message   = 3
)

// Option types.
const (
	OptSubCommand      = 1
	OptSubCommandGroup = 2
	OptString          = 3
	OptInteger         = 4
	OptBoolean         = 5
	OptUser            = 6
	OptChannel         = 7
	OptRole            = 8
	OptMentionable     = 9
	OptNumber          = 10
	OptAttachment      = 11
)

// Spec is one command as a script declared it.
type Spec struct {
	// Where is the declaring location ("ping.lua:12"); it prefixes every
	// error about this spec.
	Where string
	// Data is the application command object as the script wrote it, plus
	// botrun's own key guild_ids (list of guild id strings). Values are
	// plain Go values (maps, slices, strings, numbers, bools).
	Data map[string]any
}

// Scope is where a command is registered: "" for global, otherwise a guild
// id.
type Scope string

// Global is the scope of global commands.
const Global Scope = ""

func (s Scope) String() string {
	if s == Global {
		return "global"
	}
	return "guild " + string(s)
}

// path is the bulk-overwrite path of the scope for app.
func (s Scope) path(app string) string {
	if s == Global {
		return "/applications/" + app + "/commands"
	}
	return "/applications/" + app + "/guilds/" + string(s) + "/commands"
}

// plain turns a script value into the shapes encoding/json produces
// (map[string]any, []any, float64, string, bool, nil), so validation and
// normalisation see one representation whatever the engine handed over.
func plain(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("spec is not representable as JSON: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("spec must be an object: %w", err)
	}
	if m == nil {
		return nil, fmt.Errorf("spec must be an object, not null")
	}
	return m, nil
}

// cmdType reads the type field (default CHAT_INPUT) of a plain spec.
func cmdType(m map[string]any) int {
	if f, ok := m["type"].(float64); ok {
		return int(f)
	}
	return ChatInput
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// guildIDs reads botrun's guild_ids key of a plain, validated spec.
func guildIDs(m map[string]any) []string {
	list, _ := m["guild_ids"].([]any)
	out := make([]string, 0, len(list))
	for _, g := range list {
		switch g := g.(type) {
		case string:
			out = append(out, g)
		case float64:
			out = append(out, strconv.FormatFloat(g, 'f', -1, 64))
		}
	}
	return out
}
