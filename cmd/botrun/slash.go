package main

import (
	"fmt"
	"strconv"
	"strings"
)

// slashCommand is a console line such as `/echo text:"hello world"` parsed
// into an application command interaction's data.
type slashCommand struct {
	Name string
	// Path holds subcommand group and subcommand names, in order.
	Path    []string
	Options map[string]string // option name → raw text
	Order   []string          // option names in the order typed
}

// parseSlash parses `/name [sub...] key:value key2:"quoted value"`.
// Values may be quoted with " or ' to contain spaces; \" escapes a quote.
func parseSlash(line string) (*slashCommand, error) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "/") || len(line) < 2 {
		return nil, fmt.Errorf("not a command: %q", line)
	}
	toks, err := splitArgs(line[1:])
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 || toks[0].text == "" || strings.Contains(toks[0].text, ":") {
		return nil, fmt.Errorf("missing command name: %q", line)
	}
	sc := &slashCommand{Name: toks[0].text, Options: map[string]string{}}
	for _, t := range toks[1:] {
		k, v, ok := strings.Cut(t.text, ":")
		if !ok || t.quoted && !strings.Contains(t.raw, ":") {
			if len(sc.Order) > 0 {
				// As in Discord's client, a value runs until the next
				// name: token, so unquoted words continue it.
				last := sc.Order[len(sc.Order)-1]
				sc.Options[last] += " " + t.text
				continue
			}
			if t.text == "" || strings.ContainsAny(t.text, ": \t") {
				return nil, fmt.Errorf("%q is not a subcommand name; options are written name:value", t.text)
			}
			sc.Path = append(sc.Path, t.text)
			continue
		}
		if k == "" {
			return nil, fmt.Errorf("%q: option name missing before ':'", t.text)
		}
		if _, dup := sc.Options[k]; dup {
			return nil, fmt.Errorf("option %q given twice", k)
		}
		sc.Options[k] = v
		sc.Order = append(sc.Order, k)
	}
	return sc, nil
}

// token is one space-separated word of a console line.
type token struct {
	text   string // with quotes removed
	raw    string // the part before any quote, to tell name:"v" from "a:b"
	quoted bool
}

// splitArgs splits on spaces outside quotes and removes the quotes.
func splitArgs(s string) ([]token, error) {
	var out []token
	var cur, raw strings.Builder
	var quote rune
	inTok, quoted := false, false
	rs := []rune(s)
	flush := func() {
		out = append(out, token{text: cur.String(), raw: raw.String(), quoted: quoted})
		cur.Reset()
		raw.Reset()
		inTok, quoted = false, false
	}
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote != 0 && r == '\\' && i+1 < len(rs) && (rs[i+1] == quote || rs[i+1] == '\\'):
			i++
			cur.WriteRune(rs[i])
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inTok, quoted = r, true, true
		case r == ' ' || r == '\t':
			if inTok {
				flush()
			}
		default:
			cur.WriteRune(r)
			if !quoted {
				raw.WriteRune(r)
			}
			inTok = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed %c quote", quote)
	}
	if inTok {
		flush()
	}
	return out, nil
}

// interactionData builds the data of an APPLICATION_COMMAND interaction,
// typing option values from the declared spec when there is one (integer,
// boolean and number options; strings otherwise).
func (sc *slashCommand) interactionData(spec map[string]any) (map[string]any, error) {
	opts := specOptions(spec)
	for _, p := range sc.Path {
		opts = subOptions(opts, p)
	}
	var leaf []any
	for _, k := range sc.Order {
		raw := sc.Options[k]
		typ := 3
		for _, o := range opts {
			if m, ok := o.(map[string]any); ok && m["name"] == k {
				typ = toInt(m["type"])
			}
		}
		var v any = raw
		switch typ {
		case 4:
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("option %s: %q is not an integer", k, raw)
			}
			v = n
		case 5:
			b, err := strconv.ParseBool(raw)
			if err != nil {
				return nil, fmt.Errorf("option %s: %q is not true or false", k, raw)
			}
			v = b
		case 10:
			f, err := strconv.ParseFloat(raw, 64)
			if err != nil {
				return nil, fmt.Errorf("option %s: %q is not a number", k, raw)
			}
			v = f
		}
		leaf = append(leaf, map[string]any{"name": k, "type": typ, "value": v})
	}
	// Wrap the leaf options in their subcommand (type 1) and group (type 2).
	for i := len(sc.Path) - 1; i >= 0; i-- {
		typ := 1
		if i < len(sc.Path)-1 {
			typ = 2
		}
		leaf = []any{map[string]any{"name": sc.Path[i], "type": typ, "options": leaf}}
	}
	data := map[string]any{"name": sc.Name, "type": 1}
	if len(leaf) > 0 {
		data["options"] = leaf
	}
	return data, nil
}

func specOptions(spec map[string]any) []any {
	if spec == nil {
		return nil
	}
	opts, _ := spec["options"].([]any)
	return opts
}

func subOptions(opts []any, name string) []any {
	for _, o := range opts {
		if m, ok := o.(map[string]any); ok && m["name"] == name {
			sub, _ := m["options"].([]any)
			return sub
		}
	}
	return nil
}

func toInt(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	case float64:
		return int(n)
	}
	return 0
}
