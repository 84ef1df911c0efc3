package emulator

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// InteractionKind selects what InjectInteraction simulates.
type InteractionKind int

// Interaction kinds a user can trigger.
const (
	KindCommand      InteractionKind = itCommand
	KindComponent    InteractionKind = itComponent
	KindAutocomplete InteractionKind = itAutocomplete
	KindModal        InteractionKind = itModalSubmit
)

// Option is one command option the user filled in.
type Option struct {
	Name    string
	Value   any
	Focused bool // autocomplete: the option being typed
	// Type is the option type; 0 takes it from the registered command,
	// or infers it from Value (string 3, integer 4, bool 5, float 10).
	Type int
}

// Opt is shorthand for an Option.
func Opt(name string, value any) Option { return Option{Name: name, Value: value} }

// Field is one modal text input's value.
type Field struct{ CustomID, Value string }

// InteractionSpec describes a user interaction to inject.
type InteractionSpec struct {
	Kind      InteractionKind
	ChannelID string // default #general of GuildID; the DM channel makes a DM interaction
	GuildID   string // default the first guild; used only when ChannelID is empty
	UserID    string // default the tester
	// Command and autocomplete.
	Name        string
	CommandType int // 1 chat input (default), 2 user, 3 message
	TargetID    string
	Group       string
	Subcommand  string
	Options     []Option
	// Component: the message holding it (default: the newest bot message
	// with components in the channel), its custom_id and select values.
	MessageID     string
	CustomID      string
	ComponentType int // default 2 (button), 3 (string select) when Values is set
	Values        []string
	// Modal submit.
	Fields []Field
}

// InjectCommand injects a chat-input command in #general.
func (s *Server) InjectCommand(name string, opts ...Option) (*Pending, error) {
	return s.InjectInteraction(InteractionSpec{Kind: KindCommand, Name: name, Options: opts})
}

// InjectInteraction dispatches INTERACTION_CREATE for a user action and
// returns a handle to await the bot's response.
func (s *Server) InjectInteraction(spec InteractionSpec) (*Pending, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if spec.Kind == 0 {
		spec.Kind = KindCommand
	}
	if spec.ChannelID == "" {
		gs := s.w.guilds[0]
		if spec.GuildID != "" {
			if gs = s.w.guild(spec.GuildID); gs == nil {
				return nil, fmt.Errorf("emulator: inject interaction: unknown guild %q", spec.GuildID)
			}
		}
		spec.ChannelID = gs.channels[0] // #general
	}
	c := s.w.channels[spec.ChannelID]
	if c == nil {
		return nil, fmt.Errorf("emulator: inject interaction: unknown channel %q", spec.ChannelID)
	}
	user := s.w.tester
	if spec.UserID != "" {
		u := s.w.users[spec.UserID]
		if u == nil {
			return nil, fmt.Errorf("inject interaction as %q: %w", spec.UserID, ErrUnknownUser)
		}
		user = *u
	}
	ix := &interaction{id: s.w.newID(), token: "itoken-" + s.w.newID(), typ: int(spec.Kind),
		channelID: c.ID, guildID: c.GuildID, user: user, created: s.now()}
	d := map[string]any{
		"id": ix.id, "application_id": s.w.appID, "type": ix.typ, "token": ix.token, "version": 1,
		"channel_id": c.ID, "channel": *c, "app_permissions": "2248473465835073",
		"locale": "en-US", "entitlements": []any{}, "attachment_size_limit": 10485760,
	}
	if c.GuildID != "" {
		gs := s.w.guild(c.GuildID)
		mem, ok := gs.member(user.ID)
		if !ok {
			return nil, fmt.Errorf("emulator: inject interaction: %s is not in the guild", user.Username)
		}
		mem.Permissions = "2248473465835073"
		d["guild_id"], d["member"], d["guild_locale"] = c.GuildID, mem, "en-US"
		d["guild"] = map[string]any{"id": c.GuildID, "locale": "en-US", "features": []string{}}
		d["authorizing_integration_owners"] = map[string]any{"0": c.GuildID}
		d["context"] = 0
	} else {
		d["user"] = user
		d["authorizing_integration_owners"] = map[string]any{"0": c.GuildID}
		d["context"] = 1
	}
	switch spec.Kind {
	case KindCommand, KindAutocomplete:
		data, err := s.commandDataLocked(spec, c.GuildID)
		if err != nil {
			return nil, err
		}
		d["data"] = data
	case KindComponent:
		m := s.componentMessageLocked(spec)
		if m == nil {
			return nil, fmt.Errorf("emulator: inject component click: no message %q with components in #%s", spec.MessageID, c.Name)
		}
		ix.message = m
		d["message"] = *m
		ct := spec.ComponentType
		if ct == 0 {
			ct = 2
			if spec.Values != nil {
				ct = 3
			}
		}
		data := map[string]any{"custom_id": spec.CustomID, "component_type": ct}
		if spec.Values != nil || ct != 2 {
			data["values"] = append([]string{}, spec.Values...)
		}
		d["data"] = data
	case KindModal:
		rows := []any{}
		for _, f := range spec.Fields {
			rows = append(rows, map[string]any{"type": 1, "components": []any{
				map[string]any{"type": 4, "custom_id": f.CustomID, "value": f.Value}}})
		}
		d["data"] = map[string]any{"custom_id": spec.CustomID, "components": rows}
	default:
		return nil, fmt.Errorf("emulator: inject interaction: unknown kind %d", spec.Kind)
	}
	raw := mustJSON(d)
	ix.pending = newPending(ix.id, ix.token, raw)
	s.w.interactions[ix.id] = ix
	s.pruneInteractionsLocked()
	s.dispatchLocked("INTERACTION_CREATE", c.GuildID, raw, nil)
	return ix.pending, nil
}

// pruneInteractionsLocked forgets interactions whose tokens expired.
func (s *Server) pruneInteractionsLocked() {
	now := s.now()
	for id, ix := range s.w.interactions {
		if now.Sub(ix.created) > interactionTokenTTL+time.Minute {
			delete(s.w.interactions, id)
		}
	}
}

func (s *Server) componentMessageLocked(spec InteractionSpec) *Message {
	if spec.MessageID != "" {
		m := s.w.msgByID[spec.MessageID]
		if m == nil {
			m = s.w.ephemeral(spec.MessageID)
		}
		if m == nil || m.ChannelID != spec.ChannelID {
			return nil
		}
		return m
	}
	// The newest bot message with components, ephemeral ones included
	// (ids grow with time, so the larger id is the newer message).
	var found *Message
	msgs := s.w.messages[spec.ChannelID]
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Author.ID == s.w.bot.ID && len(msgs[i].Components) > 0 {
			found = msgs[i]
			break
		}
	}
	for i := len(s.w.ephemerals) - 1; i >= 0; i-- {
		m := s.w.ephemerals[i]
		if m.ChannelID == spec.ChannelID && len(m.Components) > 0 {
			if found == nil || snowflakeLess(found.ID, m.ID) {
				found = m
			}
			break
		}
	}
	return found
}

// lookupCommandLocked finds a registered command by name and type, guild
// scope first.
func (s *Server) lookupCommandLocked(name string, typ int, guildID string) (*command, string) {
	scopes := []string{""}
	if guildID != "" {
		scopes = []string{guildID, ""}
	}
	for _, scope := range scopes {
		for _, c := range s.w.commands[scope] {
			if c.name == name && c.typ == typ {
				return c, scope
			}
		}
	}
	return nil, ""
}

func (s *Server) commandDataLocked(spec InteractionSpec, guildID string) (map[string]any, error) {
	if spec.Name == "" {
		return nil, errors.New("emulator: inject command: empty name")
	}
	typ := spec.CommandType
	if typ == 0 {
		typ = 1
	}
	cmd, scope := s.lookupCommandLocked(spec.Name, typ, guildID)
	data := map[string]any{"name": spec.Name, "type": typ}
	var declared []any
	if cmd != nil {
		data["id"] = cmd.id
		if scope != "" {
			data["guild_id"] = scope
		}
		declared, _ = cmd.echo["options"].([]any)
	} else {
		data["id"] = s.w.newID()
	}
	if spec.TargetID != "" {
		data["target_id"] = spec.TargetID
	}
	resolved := map[string]map[string]any{}
	leaf, err := s.buildOptionsLocked(spec.Options, optionsNamed(declared, spec.Group, spec.Subcommand), spec.Kind == KindAutocomplete, resolved, guildID)
	if err != nil {
		return nil, fmt.Errorf("emulator: inject /%s: %w", spec.Name, err)
	}
	if err := s.resolveTargetLocked(typ, spec.TargetID, resolved, guildID); err != nil {
		return nil, fmt.Errorf("emulator: inject %s: %w", spec.Name, err)
	}
	opts := leaf
	if spec.Subcommand != "" {
		opts = []any{map[string]any{"type": 1, "name": spec.Subcommand, "options": leaf}}
		if spec.Group != "" {
			opts = []any{map[string]any{"type": 2, "name": spec.Group, "options": opts}}
		}
	}
	if len(opts) > 0 {
		data["options"] = opts
	}
	if len(resolved) > 0 {
		data["resolved"] = resolved
	}
	return data, nil
}

// resolveTargetLocked adds a context-menu command's target (a user for
// type 2, a message for type 3) to resolved, as Discord does.
func (s *Server) resolveTargetLocked(typ int, target string, resolved map[string]map[string]any, guildID string) error {
	if target == "" {
		if typ == 2 || typ == 3 {
			return errors.New("a context-menu command needs TargetID")
		}
		return nil
	}
	switch typ {
	case 2:
		if s.w.users[target] == nil {
			return fmt.Errorf("target user %q: %w", target, ErrUnknownUser)
		}
		s.resolveLocked(6, target, resolved, guildID)
	case 3:
		m := s.w.msgByID[target]
		if m == nil {
			return fmt.Errorf("target message %q does not exist", target)
		}
		if resolved["messages"] == nil {
			resolved["messages"] = map[string]any{}
		}
		resolved["messages"][target] = *m
	}
	return nil
}

// optionsNamed walks the declared options down to a subcommand's options.
func optionsNamed(declared []any, group, sub string) []any {
	for _, name := range []string{group, sub} {
		if name == "" {
			continue
		}
		var next []any
		for _, o := range declared {
			if m, ok := o.(map[string]any); ok && m["name"] == name {
				next, _ = m["options"].([]any)
			}
		}
		declared = next
	}
	return declared
}

func declaredType(declared []any, name string) int {
	for _, o := range declared {
		if m, ok := o.(map[string]any); ok && m["name"] == name {
			t, _ := asInt(m["type"])
			return t
		}
	}
	return 0
}

func (s *Server) buildOptionsLocked(opts []Option, declared []any, autocomplete bool, resolved map[string]map[string]any, guildID string) ([]any, error) {
	out := []any{}
	for _, o := range opts {
		t := o.Type
		if t == 0 {
			t = declaredType(declared, o.Name)
		}
		if t == 0 {
			t = inferType(o.Value)
		}
		v, err := coerceOption(t, o.Value, autocomplete && o.Focused)
		if err != nil {
			return nil, fmt.Errorf("option %s: %w", o.Name, err)
		}
		opt := map[string]any{"name": o.Name, "type": t, "value": v}
		if o.Focused {
			opt["focused"] = true
		}
		out = append(out, opt)
		s.resolveLocked(t, fmt.Sprint(v), resolved, guildID)
	}
	return out, nil
}

func inferType(v any) int {
	switch v.(type) {
	case bool:
		return 5
	case int, int32, int64, uint, uint32, uint64:
		return 4
	case float32, float64:
		return 10
	}
	return 3
}

// coerceOption converts console-typed strings to the option's JSON type.
func coerceOption(t int, v any, partial bool) (any, error) {
	str, isStr := v.(string)
	if partial || !isStr {
		return v, nil
	}
	switch t {
	case 4:
		n, err := strconv.ParseInt(str, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", str)
		}
		return n, nil
	case 10:
		f, err := strconv.ParseFloat(str, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", str)
		}
		return f, nil
	case 5:
		b, err := strconv.ParseBool(str)
		if err != nil {
			return nil, fmt.Errorf("%q is not true or false", str)
		}
		return b, nil
	}
	return v, nil
}

// resolveLocked adds users, members, channels and roles named by option
// values to the resolved map, as Discord does.
func (s *Server) resolveLocked(t int, id string, resolved map[string]map[string]any, guildID string) {
	add := func(kind string, v any) {
		if resolved[kind] == nil {
			resolved[kind] = map[string]any{}
		}
		resolved[kind][id] = v
	}
	gs := s.w.guild(guildID)
	switch t {
	case 6, 9:
		if u := s.w.users[id]; u != nil {
			add("users", *u)
			if gs != nil {
				if m, ok := gs.member(id); ok {
					m.User = nil
					m.Permissions = "2248473465835073"
					add("members", m)
				}
			}
			return
		}
		if t == 9 && gs != nil && gs.hasRole(id) {
			s.resolveLocked(8, id, resolved, guildID)
		}
	case 7:
		if c := s.w.channels[id]; c != nil {
			add("channels", map[string]any{"id": c.ID, "type": c.Type, "name": c.Name, "permissions": "2248473465835073"})
		}
	case 8:
		if gs != nil {
			for _, r := range gs.guild.Roles {
				if r.ID == id {
					add("roles", r)
				}
			}
		}
	}
}
