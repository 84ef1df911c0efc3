package bindings

import (
	"encoding/json"
	"unicode/utf8"
)

// Interaction types as the platform numbers them.
const (
	ixPing          = 1
	ixCommand       = 2
	ixComponentType = 3
	ixAutocomplete  = 4
	ixModalSubmit   = 5
)

// flagEphemeral is MessageFlags.EPHEMERAL.
const flagEphemeral = 64

type ixData struct {
	ID            string `json:"id"`
	Token         string `json:"token"`
	ApplicationID string `json:"application_id"`
	ChannelID     string `json:"channel_id"`
	Type          int    `json:"type"`
	Channel       *struct {
		ID string `json:"id"`
	} `json:"channel"`
}

func thisInteraction(c *Call, fn string) (InteractionRef, error) {
	var d ixData
	if c.This == nil || c.This.Raw == nil {
		return InteractionRef{}, Usagef(fn, "must be called on an interaction")
	}
	if err := json.Unmarshal(c.This.Raw, &d); err != nil || d.ID == "" || d.Token == "" {
		return InteractionRef{}, Usagef(fn, "must be called on an interaction (its data has no id and token)")
	}
	ref := InteractionRef{ID: d.ID, Token: d.Token, ApplicationID: d.ApplicationID, ChannelID: d.ChannelID, Type: d.Type}
	if ref.ChannelID == "" && d.Channel != nil {
		ref.ChannelID = d.Channel.ID
	}
	return ref, nil
}

func interactions(c *Call, fn string) (Interactions, error) {
	if c.Script == nil || c.Script.Host == nil || c.Script.Host.Interactions == nil {
		return nil, notConnected(fn)
	}
	return c.Script.Host.Interactions, nil
}

// applyEphemeral turns the {ephemeral = true} shorthand into flag 64 and
// removes the key, which the platform would reject.
func applyEphemeral(fn string, m map[string]any) error {
	v, ok := m["ephemeral"]
	if !ok {
		return nil
	}
	delete(m, "ephemeral")
	on, isBool := v.(bool)
	if !isBool && v != nil {
		return Usagef(fn, "ephemeral must be a boolean, got %s", typeName(v))
	}
	if !on {
		return nil
	}
	var flags int64
	switch f := m["flags"].(type) {
	case nil:
	case int64:
		flags = f
	case float64:
		flags = int64(f)
	default:
		return Usagef(fn, "flags must be a number, got %s", typeName(f))
	}
	m["flags"] = flags | flagEphemeral
	return nil
}

// ixMessage reads a content_or_message argument for an interaction reply.
func ixMessage(c *Call, fn string) (map[string]any, error) {
	msg, err := toMessage(c, fn, 0)
	if err != nil {
		return nil, err
	}
	return msg, applyEphemeral(fn, msg)
}

// ixBegin does what every interaction method does first.
func ixBegin(c *Call, fn string, min, max int) (InteractionRef, Interactions, error) {
	if err := checkArgs(c, fn, min, max); err != nil {
		return InteractionRef{}, nil, err
	}
	ref, err := thisInteraction(c, fn)
	if err != nil {
		return ref, nil, err
	}
	api, err := interactions(c, fn)
	return ref, api, err
}

func ixRespond(c *Call) (any, error) {
	const fn = "respond"
	ref, api, err := ixBegin(c, fn, 1, 1)
	if err != nil {
		return nil, err
	}
	if ref.Type == ixAutocomplete {
		return ixSuggest(c, fn, ref, api)
	}
	msg, err := ixMessage(c, fn)
	if err != nil {
		return nil, err
	}
	return api.Respond(c.Ctx, ref, RespondMessage, msg)
}

// ixSuggest answers an autocomplete interaction: respond(choices) with a
// list of choices or {choices = ...}.
func ixSuggest(c *Call, fn string, ref InteractionRef, api Interactions) (any, error) {
	var choices any
	switch v := arg(c, 0).(type) {
	case []any:
		choices = v
	default:
		m, ok := asMap(v)
		if !ok {
			return nil, Usagef(fn, "an autocomplete interaction takes a list of choices, got %s", typeName(v))
		}
		choices = m["choices"]
	}
	list, ok := choices.([]any)
	if !ok {
		if choices != nil {
			return nil, Usagef(fn, "choices must be a list, got %s", typeName(choices))
		}
		list = []any{} // an empty map converts as {} in Lua: no choices
	}
	if len(list) > 25 {
		return nil, Usagef(fn, "at most 25 autocomplete choices, got %d", len(list))
	}
	data := map[string]any{"choices": list}
	if err := checkPayload(c, fn, "choices", data); err != nil {
		return nil, err
	}
	return api.Respond(c.Ctx, ref, RespondAutocomplete, data)
}

func ixDefer(c *Call) (any, error) {
	const fn = "defer"
	ref, api, err := ixBegin(c, fn, 0, 1)
	if err != nil {
		return nil, err
	}
	opts := map[string]any{}
	if a := arg(c, 0); a != nil {
		if opts, err = argMap(c, fn, 0, "options"); err != nil {
			return nil, err
		}
	}
	if err := applyEphemeral(fn, opts); err != nil {
		return nil, err
	}
	// A component's deferral acknowledges without a new message: the
	// handler will usually edit the message the component sits on.
	kind := RespondDefer
	if ref.Type == ixComponentType {
		kind = RespondDeferUpdate
		delete(opts, "flags")
	}
	return api.Respond(c.Ctx, ref, kind, opts)
}

func ixFollowup(c *Call) (any, error) {
	const fn = "followup"
	ref, api, err := ixBegin(c, fn, 1, 1)
	if err != nil {
		return nil, err
	}
	msg, err := ixMessage(c, fn)
	if err != nil {
		return nil, err
	}
	raw, err := api.Followup(c.Ctx, ref, msg)
	if err != nil {
		return nil, err
	}
	return raw, nil
}

func ixEdit(c *Call) (any, error) {
	const fn = "edit"
	ref, api, err := ixBegin(c, fn, 1, 1)
	if err != nil {
		return nil, err
	}
	msg, err := toMessage(c, fn, 0)
	if err != nil {
		return nil, err
	}
	if err := noEphemeral(fn, msg); err != nil {
		return nil, Usagef(fn, "ephemeral cannot be changed by an edit; set it in respond or defer")
	}
	return api.EditOriginal(c.Ctx, ref, msg)
}

func ixDelete(c *Call) (any, error) {
	const fn = "delete"
	ref, api, err := ixBegin(c, fn, 0, 0)
	if err != nil {
		return nil, err
	}
	return nil, api.DeleteOriginal(c.Ctx, ref)
}

func ixUpdate(c *Call) (any, error) {
	const fn = "update"
	ref, api, err := ixBegin(c, fn, 1, 1)
	if err != nil {
		return nil, err
	}
	if ref.Type != ixComponentType && ref.Type != ixModalSubmit {
		return nil, Usagef(fn, "only component and modal interactions can update their message; use respond")
	}
	msg, err := plainMessage(c, fn, 0)
	if err != nil {
		return nil, err
	}
	return api.Respond(c.Ctx, ref, RespondUpdate, msg)
}

// Modal limits from the platform's documentation.
const (
	maxModalTitle = 45
	maxModalRows  = 5
)

func ixShowModal(c *Call) (any, error) {
	const fn = "show_modal"
	ref, api, err := ixBegin(c, fn, 1, 1)
	if err != nil {
		return nil, err
	}
	if ref.Type == ixModalSubmit || ref.Type == ixAutocomplete {
		return nil, Usagef(fn, "a modal cannot be shown in answer to a modal submit or autocomplete")
	}
	m, err := argMap(c, fn, 0, "modal")
	if err != nil {
		return nil, err
	}
	if err := checkModal(fn, m); err != nil {
		return nil, err
	}
	if err := checkPayload(c, fn, "modal", m); err != nil {
		return nil, err
	}
	return api.Respond(c.Ctx, ref, RespondModal, m)
}

// checkModal validates a modal and wraps bare text inputs in action rows,
// so scripts may list their inputs directly.
func checkModal(fn string, m map[string]any) error {
	id, ok := m["custom_id"].(string)
	if !ok || id == "" {
		return Usagef(fn, "modal.custom_id must be a non-empty string, got %s", typeName(m["custom_id"]))
	}
	if utf8.RuneCountInString(id) > maxCustomID {
		return Usagef(fn, "modal.custom_id is longer than %d characters", maxCustomID)
	}
	title, ok := m["title"].(string)
	if !ok || title == "" {
		return Usagef(fn, "modal.title must be a non-empty string, got %s", typeName(m["title"]))
	}
	if utf8.RuneCountInString(title) > maxModalTitle {
		return Usagef(fn, "modal.title is longer than %d characters", maxModalTitle)
	}
	rows, ok := m["components"].([]any)
	if !ok || len(rows) == 0 {
		return Usagef(fn, "modal.components must be a non-empty list of components")
	}
	if len(rows) > maxModalRows {
		return Usagef(fn, "a modal has at most %d components, got %d", maxModalRows, len(rows))
	}
	out := make([]any, len(rows))
	for i, r := range rows {
		row, ok := asMap(r)
		if !ok {
			return Usagef(fn, "modal.components[%d] must be a table/object, got %s", i+1, typeName(r))
		}
		if isType(row["type"], 4) { // a bare text input
			row = map[string]any{"type": int64(1), "components": []any{row}}
		}
		out[i] = row
	}
	m["components"] = out
	return nil
}

func isType(v any, t int64) bool {
	switch n := v.(type) {
	case int64:
		return n == t
	case float64:
		return n == float64(t)
	}
	return false
}
