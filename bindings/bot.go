package bindings

// bot.set_presence: the one gateway send scripts may make.

var presenceStatus = map[string]bool{"online": true, "idle": true, "dnd": true, "invisible": true, "offline": true}

func botSetPresence(c *Call) (any, error) {
	const fn = "bot.set_presence"
	if err := checkArgs(c, fn, 1, 1); err != nil {
		return nil, err
	}
	p, err := argMap(c, fn, 0, "presence")
	if err != nil {
		return nil, err
	}
	if err := normalizePresence(fn, p); err != nil {
		return nil, err
	}
	if err := checkPayload(c, fn, "presence", p); err != nil {
		return nil, err
	}
	if c.Script == nil || c.Script.Host == nil || c.Script.Host.Gateway == nil {
		return nil, notConnected(fn)
	}
	return nil, c.Script.Host.Gateway.UpdatePresence(callCtx(c), p)
}

// normalizePresence fills the fields op 3 requires (since, activities,
// status, afk) so scripts may give only what they change, and accepts a
// single activity as `activity`.
func normalizePresence(fn string, p map[string]any) error {
	status, ok := p["status"]
	switch {
	case !ok || status == nil:
		p["status"] = "online"
	default:
		s, isStr := status.(string)
		if !isStr || !presenceStatus[s] {
			return Usagef(fn, "status must be one of online, idle, dnd, invisible, offline")
		}
	}
	if a, ok := p["activity"]; ok {
		delete(p, "activity")
		if _, has := p["activities"]; has {
			return Usagef(fn, "give either activity or activities, not both")
		}
		if _, isMap := asMap(a); !isMap {
			return Usagef(fn, "activity must be a table/object, got %s", typeName(a))
		}
		p["activities"] = []any{a}
	}
	switch acts := p["activities"].(type) {
	case nil:
		p["activities"] = []any{}
	case []any:
		for i, a := range acts {
			m, ok := asMap(a)
			if !ok {
				return Usagef(fn, "activities[%d] must be a table/object, got %s", i+1, typeName(a))
			}
			if name, ok := m["name"].(string); !ok || name == "" {
				return Usagef(fn, "activities[%d].name must be a non-empty string", i+1)
			}
			if _, ok := m["type"]; !ok {
				m["type"] = int64(0) // Playing: the one type every client shows
			}
			acts[i] = m
		}
	case map[string]any:
		if len(acts) != 0 { // an empty Lua table converts as a map
			return Usagef(fn, "activities must be a list")
		}
		p["activities"] = []any{}
	default:
		return Usagef(fn, "activities must be a list, got %s", typeName(acts))
	}
	if _, ok := p["afk"]; !ok {
		p["afk"] = false
	}
	if _, ok := p["since"]; !ok {
		p["since"] = nil
	}
	return nil
}
