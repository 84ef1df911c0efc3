package uncord

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// usageError is a text command that does not fit its spec. Its text is
// what the user gets as a reply: the problem, then the expected form.
type usageError struct {
	problem string
	usage   string
}

func (e *usageError) Error() string { return e.problem + "\n" + e.usage }

var typeNames = map[int]string{optString: "string", optInteger: "integer", optBoolean: "true|false",
	optUser: "user", optChannel: "channel", optRole: "role", optMentionable: "user or role",
	optNumber: "number", optAttachment: "attachment"}

// usageLine renders "Usage: /name [path] key:<type> [opt:<type>]".
func usageLine(prefix, name string, path []string, leaf []*optSpec, branches []*optSpec) string {
	var b strings.Builder
	b.WriteString("Usage: " + prefix + name)
	for _, p := range path {
		b.WriteString(" " + p)
	}
	if branches != nil {
		var names []string
		for _, o := range branches {
			names = append(names, o.name)
		}
		b.WriteString(" " + strings.Join(names, "|") + " …")
		return b.String()
	}
	for _, o := range leaf {
		t := typeNames[o.typ]
		if len(o.choices) > 0 {
			var cs []string
			for _, c := range o.choices {
				cs = append(cs, fmt.Sprint(c.value))
			}
			t = strings.Join(cs, "|")
		}
		if o.required {
			fmt.Fprintf(&b, " %s:<%s>", o.name, t)
		} else {
			fmt.Fprintf(&b, " [%s:<%s>]", o.name, t)
		}
	}
	return b.String()
}

// lexer walks the argument text.
type lexer struct {
	s string
	i int
}

func (l *lexer) skipSpace() {
	for l.i < len(l.s) && isSpace(l.s[l.i]) {
		l.i++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (l *lexer) done() bool { l.skipSpace(); return l.i >= len(l.s) }

// key returns an option-name prefix "name:" at the cursor, without moving.
func (l *lexer) key() (string, bool) {
	j := l.i
	for j < len(l.s) && (l.s[j] == '_' || l.s[j] == '-' || l.s[j] < 0x80 && (unicode.IsLetter(rune(l.s[j])) || unicode.IsDigit(rune(l.s[j])))) {
		j++
	}
	if j > l.i && j < len(l.s) && l.s[j] == ':' {
		return l.s[l.i:j], true
	}
	return "", false
}

// word reads one value: "quoted" / 'quoted' (backslash escapes) or bare
// up to whitespace.
func (l *lexer) word() (string, error) {
	if l.i < len(l.s) && (l.s[l.i] == '"' || l.s[l.i] == '\'') {
		q := l.s[l.i]
		var b strings.Builder
		for j := l.i + 1; j < len(l.s); j++ {
			switch c := l.s[j]; {
			case c == '\\' && j+1 < len(l.s):
				j++
				b.WriteByte(l.s[j])
			case c == q:
				l.i = j + 1
				return b.String(), nil
			default:
				b.WriteByte(c)
			}
		}
		return "", errors.New("a quote is not closed")
	}
	j := l.i
	for j < len(l.s) && !isSpace(l.s[j]) {
		j++
	}
	w := l.s[l.i:j]
	l.i = j
	return w, nil
}

// untilKey reads text up to the next whitespace-preceded "known:" token or
// the end, trimmed.
func (l *lexer) untilKey(known func(string) bool) string {
	start := l.i
	for j := l.i; j < len(l.s); j++ {
		if isSpace(l.s[j]) {
			sub := lexer{l.s, j}
			sub.skipSpace()
			if k, ok := sub.key(); ok && known(k) {
				l.i = j
				return strings.TrimSpace(l.s[start:j])
			}
		}
	}
	l.i = len(l.s)
	return strings.TrimSpace(l.s[start:])
}

func findOpt(list []*optSpec, name string) *optSpec {
	for _, o := range list {
		if strings.EqualFold(o.name, name) {
			return o
		}
	}
	return nil
}

// parseArgs parses the text after the command name into interaction
// options ([{name,type,value}], nested under a subcommand and group).
func parseArgs(prefix string, spec *cmdSpec, text string) ([]any, error) {
	l := &lexer{s: text}
	var path []string
	leaf := spec.options
	var wrap []*optSpec // group, subcommand chosen
	for depth := 0; depth < 2; depth++ {
		var branches []*optSpec
		for _, o := range leaf {
			if o.typ == optSubcommand || o.typ == optGroup {
				branches = append(branches, o)
			}
		}
		if len(branches) == 0 {
			break
		}
		usage := usageLine(prefix, spec.name, path, nil, branches)
		if l.done() {
			return nil, &usageError{"Choose a subcommand.", usage}
		}
		w, _ := l.word()
		o := findOpt(branches, w)
		if o == nil {
			return nil, &usageError{fmt.Sprintf("Unknown subcommand %q.", w), usage}
		}
		path = append(path, o.name)
		wrap = append(wrap, o)
		leaf = o.options
	}
	usage := usageLine(prefix, spec.name, path, leaf, nil)
	fail := func(format string, args ...any) error {
		return &usageError{fmt.Sprintf(format, args...), usage}
	}
	values := map[*optSpec]any{}
	unfilled := func(except *optSpec) int {
		n := 0
		for _, o := range leaf {
			if _, ok := values[o]; !ok && o != except {
				n++
			}
		}
		return n
	}
	known := func(k string) bool { return findOpt(leaf, k) != nil }
	for !l.done() {
		var o *optSpec
		named := false
		if k, ok := l.key(); ok && known(k) {
			o, named = findOpt(leaf, k), true
			l.i += len(k) + 1
		} else {
			for _, c := range leaf {
				if _, ok := values[c]; !ok {
					o = c
					break
				}
			}
			if o == nil {
				return nil, fail("Too many values.")
			}
		}
		if _, dup := values[o]; dup {
			return nil, fail("%s is given twice.", o.name)
		}
		var raw string
		quoted := l.i < len(l.s) && (l.s[l.i] == '"' || l.s[l.i] == '\'')
		switch {
		case o.typ == optString && !quoted && unfilled(o) == 0:
			raw = strings.TrimSpace(l.s[l.i:]) // the final string takes the rest of the line
			l.i = len(l.s)
		case o.typ == optString && !quoted && named:
			raw = l.untilKey(known)
		default:
			w, err := l.word()
			if err != nil {
				return nil, fail("In %s: %s.", o.name, err)
			}
			raw = w
		}
		v, err := convert(o, raw)
		if err != nil {
			return nil, fail("%s %s.", o.name, err)
		}
		values[o] = v
	}
	var out []any
	for _, o := range leaf {
		v, ok := values[o]
		if !ok {
			if o.required {
				return nil, fail("Missing %s.", o.name)
			}
			continue
		}
		out = append(out, map[string]any{"name": o.name, "type": o.typ, "value": v})
	}
	for i := len(wrap) - 1; i >= 0; i-- {
		if out == nil {
			out = []any{}
		}
		out = []any{map[string]any{"name": wrap[i].name, "type": wrap[i].typ, "options": out}}
	}
	return out, nil
}

// convert types one value; errors complete "<name> ...".
func convert(o *optSpec, raw string) (any, error) {
	var v any
	switch o.typ {
	case optString:
		if raw == "" {
			return nil, errors.New("is empty")
		}
		v = raw
	case optInteger:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("must be a whole number, not %q", raw)
		}
		v = n
	case optNumber:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("must be a number, not %q", raw)
		}
		v = f
	case optBoolean:
		switch strings.ToLower(raw) {
		case "true", "yes", "on", "1":
			v = true
		case "false", "no", "off", "0":
			v = false
		default:
			return nil, fmt.Errorf("must be true or false, not %q", raw)
		}
	case optUser, optChannel, optRole, optMentionable:
		id := strings.TrimSuffix(strings.TrimLeft(raw, "<@!#&"), ">")
		if !uuidRe.MatchString(id) {
			return nil, fmt.Errorf("must be a %s id (a UUID, optionally as <@id>), not %q", typeNames[o.typ], raw)
		}
		v = strings.ToLower(id)
	case optAttachment:
		return nil, errors.New("is an attachment, which text commands cannot carry")
	default:
		return nil, fmt.Errorf("has an option type (%d) text commands do not support", o.typ)
	}
	if err := checkRange(o, v); err != nil {
		return nil, err
	}
	if len(o.choices) > 0 {
		for _, c := range o.choices {
			if fmt.Sprint(c.value) == fmt.Sprint(v) {
				return c.value, nil
			}
		}
		for _, c := range o.choices {
			if strings.EqualFold(c.name, raw) {
				return c.value, nil
			}
		}
		var cs []string
		for _, c := range o.choices {
			cs = append(cs, fmt.Sprint(c.value))
		}
		return nil, fmt.Errorf("must be one of %s", strings.Join(cs, ", "))
	}
	return v, nil
}

func checkRange(o *optSpec, v any) error {
	var f float64
	switch n := v.(type) {
	case int64:
		f = float64(n)
	case float64:
		f = n
	default:
		return nil
	}
	if o.min != nil && f < *o.min {
		return fmt.Errorf("must be at least %v", *o.min)
	}
	if o.max != nil && f > *o.max {
		return fmt.Errorf("must be at most %v", *o.max)
	}
	return nil
}
