package commands

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/botrun/botrun/host/commands/chatname"
)

// Limits from the platform's application command rules.
const (
	maxNameLen     = 32
	maxDescLen     = 100
	maxOptions     = 25
	maxChoices     = 25
	maxChoiceName  = 100
	maxChoiceValue = 100
	maxStringLen   = 6000
	maxTotalChars  = 4000
	maxSafeInt     = 1 << 53
)

var snowflake = regexp.MustCompile(`^[0-9]{1,20}$`)

// SpecError reports everything wrong with one declared command.
type SpecError struct {
	Where    string // declaring location, may be empty
	Command  string // command name as written, may be empty
	Problems []string
}

func (e *SpecError) Error() string {
	prefix := ""
	if e.Where != "" {
		prefix = e.Where + ": "
	}
	if e.Command != "" {
		prefix += fmt.Sprintf("command %q: ", e.Command)
	} else {
		prefix += "command: "
	}
	return prefix + strings.Join(e.Problems, "\n"+prefix)
}

// Validate checks a declared command against the platform's rules before
// anything is sent, so a mistake is reported at the script line that made
// it rather than as an opaque 400 from the platform. The error is a
// *SpecError listing every problem found.
func Validate(s Spec) error {
	_, err := validate(s)
	return err
}

// validate returns the plain form of the spec when it is valid.
func validate(s Spec) (map[string]any, error) {
	m, err := plain(s.Data)
	if err != nil {
		return nil, &SpecError{Where: s.Where, Problems: []string{err.Error()}}
	}
	v := &validator{}
	name, _ := m["name"].(string)
	v.command(m)
	if len(v.problems) > 0 {
		return nil, &SpecError{Where: s.Where, Command: name, Problems: v.problems}
	}
	return m, nil
}

type validator struct {
	problems []string
	chars    int // names + descriptions + choice values, against maxTotalChars
}

func (v *validator) addf(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

func (v *validator) command(m map[string]any) {
	typ := ChatInput
	if t, ok := m["type"]; ok {
		f, isNum := t.(float64)
		if !isNum || f != math.Trunc(f) || f < 1 || f > 3 {
			v.addf("type must be 1 (CHAT_INPUT), 2 (USER) or 3 (MESSAGE), got %v", t)
			return
		}
		typ = int(f)
	}
	name, ok := m["name"].(string)
	if !ok {
		v.addf("name is required and must be a string")
		return
	}
	v.chars += utf8.RuneCountInString(name)
	desc, hasDesc := m["description"]
	descStr, descIsStr := desc.(string)
	switch typ {
	case ChatInput:
		v.chatName("name", name)
		if !descIsStr || descStr == "" {
			v.addf("description is required for slash commands (1-%d characters)", maxDescLen)
		} else if n := utf8.RuneCountInString(descStr); n > maxDescLen {
			v.addf("description is %d characters, the limit is %d", n, maxDescLen)
		}
		v.chars += utf8.RuneCountInString(descStr)
	default:
		if n := utf8.RuneCountInString(name); n < 1 || n > maxNameLen {
			v.addf("name must be 1-%d characters, got %d", maxNameLen, n)
		}
		if hasDesc && desc != nil && descStr != "" {
			v.addf("user and message commands must not have a description")
		}
		if opts, ok := m["options"].([]any); ok && len(opts) > 0 {
			v.addf("user and message commands cannot have options")
		}
	}
	v.localizations(m, "name_localizations")
	v.localizations(m, "description_localizations")
	if g, ok := m["guild_ids"]; ok {
		list, isList := g.([]any)
		if !isList {
			v.addf("guild_ids must be a list of guild id strings")
		}
		for _, id := range list {
			s, isStr := id.(string)
			if !isStr {
				v.addf("guild_ids entries must be strings (ids are too large for numbers), got %v", id)
			} else if !snowflake.MatchString(s) {
				v.addf("guild_ids entry %q is not a guild id", s)
			}
		}
	}
	if p, ok := m["default_member_permissions"]; ok && p != nil {
		if s, isStr := p.(string); !isStr || !snowflake.MatchString(s) {
			v.addf("default_member_permissions must be a permission bit set as a string of digits, got %v", p)
		}
	}
	if typ == ChatInput {
		v.options(m["options"], 0, "")
	}
	if v.chars > maxTotalChars {
		v.addf("names, descriptions and choice values add up to %d characters, the limit is %d", v.chars, maxTotalChars)
	}
}

func (v *validator) chatName(what, name string) {
	switch {
	case !chatname.Valid(name):
		v.addf("%s %q must be 1-%d letters, digits, - _ or ', no spaces", what, name, maxNameLen)
	case strings.ToLower(name) != name:
		v.addf("%s %q must be lowercase", what, name)
	}
}

func (v *validator) localizations(m map[string]any, key string) {
	l, ok := m[key]
	if !ok || l == nil {
		return
	}
	lm, isMap := l.(map[string]any)
	if !isMap {
		v.addf("%s must be a table of locale → text", key)
		return
	}
	for loc, text := range lm {
		if _, isStr := text.(string); !isStr {
			v.addf("%s[%q] must be a string", key, loc)
		}
	}
}

// options checks one level of options. depth 0 is the command level, 1 is
// inside a group (only subcommands allowed), 2 is inside a subcommand (no
// subcommands or groups allowed). where prefixes problems.
func (v *validator) options(raw any, depth int, where string) {
	if raw == nil {
		return
	}
	list, ok := raw.([]any)
	if !ok {
		v.addf("%soptions must be a list", where)
		return
	}
	if len(list) > maxOptions {
		v.addf("%shas %d options, the limit is %d", where, len(list), maxOptions)
	}
	seen := map[string]bool{}
	sawOptional, sawSub, sawPlain := false, false, false
	for i, o := range list {
		om, isMap := o.(map[string]any)
		if !isMap {
			v.addf("%soption %d must be a table", where, i+1)
			continue
		}
		name, _ := om["name"].(string)
		at := fmt.Sprintf("%soption %q: ", where, name)
		if name == "" {
			at = fmt.Sprintf("%soption %d: ", where, i+1)
			v.addf("%sname is required", at)
		} else {
			v.chatName(strings.TrimSuffix(at, ": ")+" name", name)
			if seen[name] {
				v.addf("%sduplicate option name", at)
			}
			seen[name] = true
		}
		v.chars += utf8.RuneCountInString(name)
		desc, _ := om["description"].(string)
		if n := utf8.RuneCountInString(desc); n < 1 || n > maxDescLen {
			v.addf("%sdescription is required (1-%d characters), got %d", at, maxDescLen, n)
		}
		v.chars += utf8.RuneCountInString(desc)
		v.localizations(om, "name_localizations")
		v.localizations(om, "description_localizations")
		tf, isNum := om["type"].(float64)
		typ := int(tf)
		if !isNum || tf != math.Trunc(tf) || typ < 1 || typ > 11 {
			v.addf("%stype must be an option type 1-11, got %v", at, om["type"])
			continue
		}
		switch typ {
		case OptSubCommand, OptSubCommandGroup:
			sawSub = true
			switch {
			case depth == 2:
				v.addf("%ssubcommands cannot nest further", at)
				continue
			case typ == OptSubCommandGroup && depth == 1:
				v.addf("%sa group can only contain subcommands", at)
				continue
			}
			if om["required"] == true {
				v.addf("%ssubcommands and groups cannot be required", at)
			}
			if typ == OptSubCommandGroup {
				if sub, _ := om["options"].([]any); len(sub) == 0 {
					v.addf("%sa group needs at least one subcommand", at)
				}
				v.options(om["options"], 1, at)
			} else {
				v.options(om["options"], 2, at)
			}
		default:
			sawPlain = true
			if depth == 1 {
				// depth 1 with a plain option means we are inside a group.
				v.addf("%sa group can only contain subcommands", at)
			}
			if sub, ok := om["options"].([]any); ok && len(sub) > 0 {
				v.addf("%sonly subcommands and groups can have options", at)
			}
			req, _ := om["required"].(bool)
			if req && sawOptional {
				v.addf("%srequired options must come before optional ones", at)
			}
			if !req {
				sawOptional = true
			}
			v.valueRules(om, typ, at)
		}
	}
	if sawSub && sawPlain && depth != 1 {
		v.addf("%scannot mix subcommands or groups with plain options at the same level", where)
	}
}

// valueRules checks choices, autocomplete, ranges and channel types of a
// plain option.
func (v *validator) valueRules(om map[string]any, typ int, at string) {
	numeric := typ == OptInteger || typ == OptNumber
	auto, _ := om["autocomplete"].(bool)
	if auto && typ != OptString && !numeric {
		v.addf("%sautocomplete only works on string, integer and number options", at)
	}
	if c, ok := om["choices"]; ok && c != nil {
		list, isList := c.([]any)
		switch {
		case !isList:
			v.addf("%schoices must be a list", at)
		case typ != OptString && !numeric:
			v.addf("%schoices only work on string, integer and number options", at)
		case auto && len(list) > 0:
			v.addf("%sautocomplete cannot be combined with choices", at)
		case len(list) > maxChoices:
			v.addf("%shas %d choices, the limit is %d", at, len(list), maxChoices)
		}
		if isList {
			for i, ch := range list {
				v.choice(ch, typ, fmt.Sprintf("%schoice %d: ", at, i+1))
			}
		}
	}
	for _, k := range []string{"min_value", "max_value"} {
		x, ok := om[k]
		if !ok || x == nil {
			continue
		}
		f, isNum := x.(float64)
		switch {
		case !numeric:
			v.addf("%s%s only works on integer and number options", at, k)
		case !isNum:
			v.addf("%s%s must be a number, got %v", at, k, x)
		case typ == OptInteger && (f != math.Trunc(f) || math.Abs(f) > maxSafeInt):
			v.addf("%s%s must be a whole number within ±2^53 for an integer option, got %v", at, k, f)
		}
	}
	if lo, ok1 := om["min_value"].(float64); ok1 {
		if hi, ok2 := om["max_value"].(float64); ok2 && lo > hi {
			v.addf("%smin_value %v is greater than max_value %v", at, lo, hi)
		}
	}
	for _, k := range []string{"min_length", "max_length"} {
		x, ok := om[k]
		if !ok || x == nil {
			continue
		}
		f, isNum := x.(float64)
		lo := 0.0
		if k == "max_length" {
			lo = 1
		}
		switch {
		case typ != OptString:
			v.addf("%s%s only works on string options", at, k)
		case !isNum || f != math.Trunc(f) || f < lo || f > maxStringLen:
			v.addf("%s%s must be a whole number %v-%d, got %v", at, k, lo, maxStringLen, x)
		}
	}
	if lo, ok1 := om["min_length"].(float64); ok1 {
		if hi, ok2 := om["max_length"].(float64); ok2 && lo > hi {
			v.addf("%smin_length %v is greater than max_length %v", at, lo, hi)
		}
	}
	if ct, ok := om["channel_types"]; ok && ct != nil {
		list, isList := ct.([]any)
		if typ != OptChannel {
			v.addf("%schannel_types only works on channel options", at)
		} else if !isList {
			v.addf("%schannel_types must be a list of channel type numbers", at)
		}
		for _, t := range list {
			if f, isNum := t.(float64); !isNum || f != math.Trunc(f) || f < 0 {
				v.addf("%schannel_types entry %v is not a channel type", at, t)
			}
		}
	}
}

func (v *validator) choice(ch any, typ int, at string) {
	cm, ok := ch.(map[string]any)
	if !ok {
		v.addf("%smust be a table with name and value", at)
		return
	}
	name, _ := cm["name"].(string)
	if n := utf8.RuneCountInString(name); n < 1 || n > maxChoiceName {
		v.addf("%sname must be 1-%d characters", at, maxChoiceName)
	}
	v.chars += utf8.RuneCountInString(name)
	v.localizations(cm, "name_localizations")
	switch val := cm["value"].(type) {
	case string:
		if typ != OptString {
			v.addf("%svalue %q must be a number for a %s option", at, val, optTypeName(typ))
		} else if n := utf8.RuneCountInString(val); n < 1 || n > maxChoiceValue {
			v.addf("%svalue must be 1-%d characters", at, maxChoiceValue)
		}
		v.chars += utf8.RuneCountInString(val)
	case float64:
		switch {
		case typ == OptString:
			v.addf("%svalue %v must be a string for a string option", at, val)
		case typ == OptInteger && (val != math.Trunc(val) || math.Abs(val) > maxSafeInt):
			v.addf("%svalue %v must be a whole number within ±2^53 for an integer option", at, val)
		}
	default:
		v.addf("%svalue is required (a %s)", at, optTypeName(typ))
	}
}

func optTypeName(t int) string {
	switch t {
	case OptString:
		return "string"
	case OptInteger:
		return "integer"
	case OptNumber:
		return "number"
	}
	return fmt.Sprintf("type %d", t)
}
