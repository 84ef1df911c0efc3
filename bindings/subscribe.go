package bindings

import "unicode/utf8"

// Declarations: on/once subscriptions and the command, component, modal and
// autocomplete routes. They only record into the script's Registry; the
// host's router and the engine decide when a callback runs.

// Discord caps custom_id at 100 characters; a longer prefix or modal id
// could never match.
const maxCustomID = 100

func bindOn(c *Call) (any, error)   { return subscribe(c, "on", false) }
func bindOnce(c *Call) (any, error) { return subscribe(c, "once", true) }

func subscribe(c *Call, fn string, once bool) (any, error) {
	if err := checkArgs(c, fn, 2, 2); err != nil {
		return nil, err
	}
	name, err := argString(c, fn, 0, "event name")
	if err != nil {
		return nil, err
	}
	cb, err := argCallback(c, fn, 1)
	if err != nil {
		return nil, err
	}
	reg, err := registry(c, fn)
	if err != nil {
		return nil, err
	}
	h := reg.On(name, cb, once)
	return &Object{Kind: KindSubscription, State: h}, nil
}

func subscriptionOff(c *Call) (any, error) {
	if err := checkArgs(c, "off", 0, 0); err != nil {
		return nil, err
	}
	h, ok := receiver[*Handler](c)
	if !ok {
		return nil, Usagef("off", "must be called on a subscription handle")
	}
	h.Off()
	return nil, nil
}

func registry(c *Call, fn string) (*Registry, error) {
	if c.Script == nil || c.Script.Reg == nil {
		return nil, Usagef(fn, "no script registry (internal error)")
	}
	return c.Script.Reg, nil
}

// receiver returns the Go state of the method's receiver.
func receiver[T any](c *Call) (T, bool) {
	var zero T
	if c.This == nil {
		return zero, false
	}
	v, ok := c.This.State.(T)
	return v, ok
}

func bindCommand(c *Call) (any, error) {
	const fn = "command"
	if err := checkArgs(c, fn, 2, 2); err != nil {
		return nil, err
	}
	spec, err := argMap(c, fn, 0, "command spec")
	if err != nil {
		return nil, err
	}
	cb, err := argCallback(c, fn, 1)
	if err != nil {
		return nil, err
	}
	name, ok := spec["name"].(string)
	if !ok || name == "" {
		return nil, Usagef(fn, "spec.name must be a non-empty string, got %s", typeName(spec["name"]))
	}
	// Only chat-input commands (type 1, the default) carry a description;
	// user and message commands (types 2, 3) must not.
	chatInput := true
	if t, present := spec["type"]; present {
		switch t {
		case int64(1), float64(1):
		case int64(2), float64(2), int64(3), float64(3):
			chatInput = false
		default:
			return nil, Usagef(fn, "command %q: spec.type must be 1 (slash), 2 (user) or 3 (message)", name)
		}
	}
	if d := spec["description"]; chatInput {
		if s, ok := d.(string); !ok || s == "" {
			return nil, Usagef(fn, "command %q: spec.description must be a non-empty string, got %s", name, typeName(d))
		}
	}
	reg, err := registry(c, fn)
	if err != nil {
		return nil, err
	}
	for _, prev := range reg.Commands() {
		if prevName, _ := prev.Spec["name"].(string); prevName == name && sameScopes(prev.Spec, spec) {
			return nil, Usagef(fn, "command %q is already declared at %s", name, prev.Where)
		}
	}
	where := ""
	if c.Where != nil {
		where = c.Where()
	}
	reg.AddCommand(&Command{Spec: spec, Fn: cb, Where: where})
	return nil, nil
}

// sameScopes reports whether two specs register in the same guild set, so
// that the same name in different guilds is not a duplicate.
func sameScopes(a, b map[string]any) bool {
	ea, _ := encodeJSON(a["guild_ids"], 1<<16)
	eb, _ := encodeJSON(b["guild_ids"], 1<<16)
	return string(ea) == string(eb)
}

func bindComponent(c *Call) (any, error) {
	return route(c, "component", "custom_id prefix")
}

func bindModal(c *Call) (any, error) {
	return route(c, "modal", "modal custom_id")
}

func route(c *Call, kind, what string) (any, error) {
	if err := checkArgs(c, kind, 2, 2); err != nil {
		return nil, err
	}
	key, err := argString(c, kind, 0, what)
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(key) > maxCustomID {
		return nil, Usagef(kind, "%s is longer than %d characters", what, maxCustomID)
	}
	cb, err := argCallback(c, kind, 1)
	if err != nil {
		return nil, err
	}
	reg, err := registry(c, kind)
	if err != nil {
		return nil, err
	}
	reg.SetRoute(Route{Kind: kind, Key: key}, cb)
	return nil, nil
}

func bindAutocomplete(c *Call) (any, error) {
	const fn = "autocomplete"
	if err := checkArgs(c, fn, 3, 3); err != nil {
		return nil, err
	}
	cmd, err := argString(c, fn, 0, "command name")
	if err != nil {
		return nil, err
	}
	opt, err := argString(c, fn, 1, "option name")
	if err != nil {
		return nil, err
	}
	cb, err := argCallback(c, fn, 2)
	if err != nil {
		return nil, err
	}
	reg, err := registry(c, fn)
	if err != nil {
		return nil, err
	}
	reg.SetRoute(Route{Kind: "autocomplete", Key: cmd, Option: opt}, cb)
	return nil, nil
}
