package uncord

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Option types (the application-command numbering scripts use).
const (
	optSubcommand  = 1
	optGroup       = 2
	optString      = 3
	optInteger     = 4
	optBoolean     = 5
	optUser        = 6
	optChannel     = 7
	optRole        = 8
	optMentionable = 9
	optNumber      = 10
	optAttachment  = 11
)

// Commands turns text messages such as "/echo hello" or "/echo text:hi"
// into command invocations, since Uncord has no application commands. The
// declared specs are the same objects scripts pass to command(...) on
// Discord.
type Commands struct {
	prefix string

	mu     sync.Mutex // guards owners and byName
	owners map[string][]*cmdSpec
	byName map[string]*cmdSpec // lower-case name → the first declarer's spec
	order  []string            // owners in the order they were first Set
}

// NewCommands returns an empty set. prefix is what starts a command
// message, "/" when empty.
func NewCommands(prefix string) *Commands {
	if prefix == "" {
		prefix = "/"
	}
	return &Commands{prefix: prefix, owners: map[string][]*cmdSpec{}, byName: map[string]*cmdSpec{}}
}

type cmdSpec struct {
	owner   string
	name    string
	options []*optSpec
}

type optSpec struct {
	name     string
	typ      int
	required bool
	choices  []choice
	min, max *float64
	options  []*optSpec // subcommands and groups
}

type choice struct {
	name  string
	value any
}

// Set replaces owner's commands. Specs that are not chat-input commands
// (user and message context menus) are skipped; a name already declared
// by another owner stays with the first declarer. It returns the problems
// joined; valid specs take effect regardless.
func (c *Commands) Set(owner string, specs []map[string]any) error {
	var parsed []*cmdSpec
	var errs []error
	for _, raw := range specs {
		if t := toInt(raw["type"], 1); t != 1 {
			continue
		}
		s, err := parseSpec(owner, raw)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		parsed = append(parsed, s)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.owners[owner]; !ok {
		c.order = append(c.order, owner)
	}
	c.owners[owner] = parsed
	c.rebuildLocked()
	for _, s := range parsed {
		if got := c.byName[strings.ToLower(s.name)]; got.owner != owner {
			errs = append(errs, fmt.Errorf("command /%s is already declared by %s; this one is ignored", s.name, got.owner))
		}
	}
	return errors.Join(errs...)
}

// Remove drops owner's commands (script unloaded).
func (c *Commands) Remove(owner string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.owners, owner)
	for i, o := range c.order {
		if o == owner {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	c.rebuildLocked()
}

func (c *Commands) rebuildLocked() {
	clear(c.byName)
	for _, o := range c.order {
		for _, s := range c.owners[o] {
			if _, taken := c.byName[strings.ToLower(s.name)]; !taken {
				c.byName[strings.ToLower(s.name)] = s
			}
		}
	}
}

// Names lists the command names, sorted.
func (c *Commands) Names() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, s := range c.byName {
		out = append(out, s.name)
	}
	sort.Strings(out)
	return out
}

func parseSpec(owner string, raw map[string]any) (*cmdSpec, error) {
	name, _ := raw["name"].(string)
	if name == "" || strings.ContainsAny(name, " \t\n") {
		return nil, fmt.Errorf("command spec needs a name without spaces, got %q", name)
	}
	opts, err := parseOptions(raw["options"], 0)
	if err != nil {
		return nil, fmt.Errorf("command /%s: %w", name, err)
	}
	return &cmdSpec{owner: owner, name: name, options: opts}, nil
}

func parseOptions(v any, depth int) ([]*optSpec, error) {
	list, _ := v.([]any)
	if m, ok := v.([]map[string]any); ok {
		for _, x := range m {
			list = append(list, x)
		}
	}
	var out []*optSpec
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, errors.New("an option is not an object")
		}
		o := &optSpec{typ: toInt(m["type"], 0)}
		o.name, _ = m["name"].(string)
		if o.name == "" {
			return nil, errors.New("an option has no name")
		}
		o.required, _ = m["required"].(bool)
		if f, ok := toFloat(m["min_value"]); ok {
			o.min = &f
		}
		if f, ok := toFloat(m["max_value"]); ok {
			o.max = &f
		}
		ch, _ := m["choices"].([]any)
		for _, cv := range ch {
			cm, _ := cv.(map[string]any)
			n, _ := cm["name"].(string)
			o.choices = append(o.choices, choice{n, cm["value"]})
		}
		if o.typ == optSubcommand || o.typ == optGroup {
			if depth >= 2 {
				return nil, errors.New("subcommands nest at most two levels")
			}
			sub, err := parseOptions(m["options"], depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", o.name, err)
			}
			o.options = sub
		}
		out = append(out, o)
	}
	return out, nil
}

func toInt(v any, def int) int {
	if f, ok := toFloat(v); ok {
		return int(f)
	}
	return def
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// Invocation is a command message recognised by Match.
type Invocation struct {
	Owner string // script that declared the command
	Name  string // command name as declared (the route key)
	// Interaction is an INTERACTION_CREATE-shaped payload (type 2,
	// data.name, data.options, id = the message id, a synthetic token,
	// channel_id, member.user = the author) for the command handler; nil
	// when Usage is set.
	Interaction json.RawMessage
	// Usage, when set, is what to reply instead: the problem and the
	// expected form ("Missing text. Usage: /echo text:<string>").
	Usage     string
	ChannelID string
	MessageID string
}

type message struct {
	ID        string          `json:"id"`
	ChannelID string          `json:"channel_id"`
	Content   string          `json:"content"`
	Author    json.RawMessage `json:"author"`
}

// Match recognises a MESSAGE_CREATE (or DM_MESSAGE_CREATE) payload whose
// content starts with the prefix and a declared command name. Other
// messages, and the bot's own (selfID), return false and go to on()
// handlers as usual.
func (c *Commands) Match(data json.RawMessage, selfID string) (Invocation, bool) {
	if !c.mayMatch(data) {
		return Invocation{}, false
	}
	var m message
	if json.Unmarshal(data, &m) != nil {
		return Invocation{}, false
	}
	var author struct {
		ID string `json:"id"`
	}
	json.Unmarshal(m.Author, &author)
	if selfID != "" && author.ID == selfID {
		return Invocation{}, false
	}
	text, ok := strings.CutPrefix(strings.TrimSpace(m.Content), c.prefix)
	if !ok {
		return Invocation{}, false
	}
	name, rest, _ := strings.Cut(text, " ")
	if i := strings.IndexAny(name, "\t\n"); i >= 0 {
		name, rest = name[:i], text[i+1:]
	}
	c.mu.Lock()
	spec := c.byName[strings.ToLower(name)]
	c.mu.Unlock()
	if spec == nil {
		return Invocation{}, false
	}
	inv := Invocation{Owner: spec.owner, Name: spec.name, ChannelID: m.ChannelID, MessageID: m.ID}
	opts, err := parseArgs(c.prefix, spec, rest)
	if err != nil {
		inv.Usage = err.Error()
		return inv, true
	}
	inv.Interaction = interactionJSON(m, spec.name, opts)
	return inv, true
}

// mayMatch is a cheap pre-check run on every message: false when the
// content certainly does not start with the prefix. It looks at the first
// "content" key, which in an Uncord message is the top-level one (no
// nested object has that key); anything unusual falls through to the full
// decode.
func (c *Commands) mayMatch(data []byte) bool {
	const ws = " \t\r\n"
	var rest []byte
	for off := 0; ; {
		i := bytes.Index(data[off:], []byte(`"content"`))
		if i < 0 {
			return false
		}
		off += i + len(`"content"`)
		after := bytes.TrimLeft(data[off:], ws)
		if len(after) > 0 && after[0] == ':' {
			rest = bytes.TrimLeft(after[1:], ws)
			break
		}
	}
	if len(rest) == 0 || rest[0] != '"' {
		return false
	}
	rest = rest[1:]
	if len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\\') {
		return true // leading space or an escape: let the decoder decide
	}
	c.mu.Lock()
	empty := len(c.byName) == 0
	c.mu.Unlock()
	return !empty && bytes.HasPrefix(rest, []byte(c.prefix))
}

// MatchInvocation handles SLASH_COMMAND_INVOCATION, which Uncord declares
// but never sends and defines no payload for. Best effort: a payload with
// a command "name" (or "command"), a "channel_id", and either "content"
// (the argument text) or "options" ([{name,value}] or {name: value}) is
// treated like the text command.
func (c *Commands) MatchInvocation(data json.RawMessage) (Invocation, bool) {
	var p struct {
		ID        string          `json:"id"`
		Name      string          `json:"name"`
		Command   string          `json:"command"`
		ChannelID string          `json:"channel_id"`
		Content   string          `json:"content"`
		Options   json.RawMessage `json:"options"`
		User      json.RawMessage `json:"user"`
		Author    json.RawMessage `json:"author"`
	}
	if json.Unmarshal(data, &p) != nil {
		return Invocation{}, false
	}
	if p.Name == "" {
		p.Name = p.Command
	}
	args := p.Content
	var list []struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
	}
	var obj map[string]any
	switch {
	case json.Unmarshal(p.Options, &list) == nil:
		for _, o := range list {
			args += " " + o.Name + ":" + quoteArg(fmt.Sprint(o.Value))
		}
	case json.Unmarshal(p.Options, &obj) == nil:
		for _, k := range sortedKeys(obj) {
			args += " " + k + ":" + quoteArg(fmt.Sprint(obj[k]))
		}
	}
	author := p.Author
	if len(author) == 0 {
		author = p.User
	}
	msg, _ := json.Marshal(map[string]any{"id": p.ID, "channel_id": p.ChannelID,
		"content": c.prefix + p.Name + " " + strings.TrimSpace(args), "author": author})
	return c.Match(msg, "")
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func quoteArg(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\"'") {
		return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
	}
	return s
}

// TokenPrefix starts the synthetic interaction tokens of text commands.
const TokenPrefix = "uncord-text:"

func interactionJSON(m message, name string, opts []any) json.RawMessage {
	author := m.Author
	if len(author) == 0 {
		author = json.RawMessage("null")
	}
	if opts == nil {
		opts = []any{}
	}
	b, _ := json.Marshal(map[string]any{
		"id":             m.ID,
		"token":          TokenPrefix + m.ChannelID + ":" + m.ID,
		"type":           2,
		"application_id": "",
		"channel_id":     m.ChannelID,
		"channel":        map[string]any{"id": m.ChannelID},
		"member":         map[string]any{"user": author, "roles": []any{}},
		"data":           map[string]any{"id": "", "name": name, "type": 1, "options": opts},
		"message_id":     m.ID,
		"version":        1,
	})
	return b
}

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
