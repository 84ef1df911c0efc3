package bindings

import (
	"encoding/json"
	"strings"
)

// toMessage converts a content_or_message argument: a string becomes
// {content = s}; a table/object is the message object itself (copied, so
// the binding may adjust it). Anything else is a usage error naming fn.
func toMessage(c *Call, fn string, i int) (map[string]any, error) {
	v := arg(c, i)
	if s, ok := v.(string); ok {
		if s == "" {
			return nil, Usagef(fn, "message content is empty")
		}
		return map[string]any{"content": s}, nil
	}
	m, ok := asMap(v)
	if !ok {
		return nil, Usagef(fn, "%s argument must be a string or a message table/object, got %s", ordinal(i), typeName(v))
	}
	if err := checkPayload(c, fn, "message", m); err != nil {
		return nil, err
	}
	return m, nil
}

// checkPayload enforces Caps.MaxPayload on a value a script passes on to
// the platform.
func checkPayload(c *Call, fn, what string, v any) error {
	limit := c.Script.caps().MaxPayload
	if _, err := encodeJSON(v, limit); err != nil {
		return payloadErr(fn, what, limit, err)
	}
	return nil
}

// plainMessage is toMessage for calls outside interactions, which have no
// ephemeral messages.
func plainMessage(c *Call, fn string, i int) (map[string]any, error) {
	msg, err := toMessage(c, fn, i)
	if err != nil {
		return nil, err
	}
	if err := noEphemeral(fn, msg); err != nil {
		return nil, err
	}
	return msg, nil
}

// noEphemeral rejects the ephemeral shorthand outside interactions, where
// the platform has no such thing.
func noEphemeral(fn string, m map[string]any) error {
	if _, ok := m["ephemeral"]; ok {
		return Usagef(fn, "ephemeral only applies to interaction responses (respond, followup, defer)")
	}
	return nil
}

// messageRef is what message methods need from the receiver's data.
type messageRef struct {
	ID        string `json:"id"`
	ChannelID string `json:"channel_id"`
}

func thisMessage(c *Call, fn string) (messageRef, error) {
	var ref messageRef
	if c.This == nil || c.This.Raw == nil {
		return ref, Usagef(fn, "must be called on a message")
	}
	if err := json.Unmarshal(c.This.Raw, &ref); err != nil || ref.ID == "" || ref.ChannelID == "" {
		return ref, Usagef(fn, "must be called on a message (its data has no id and channel_id)")
	}
	return ref, nil
}

func platform(c *Call, fn string) (Platform, error) {
	if c.Script == nil || c.Script.Host == nil || c.Script.Host.Platform == nil {
		return nil, notConnected(fn)
	}
	return c.Script.Host.Platform, nil
}

func notConnected(fn string) error {
	return &UsageError{Func: fn, Msg: "not connected to a platform (botrun check)", err: ErrNotConnected}
}

// messageObject wraps a message the platform returned so the script can
// call its methods (m:edit(...) on the result of reply).
func messageObject(raw json.RawMessage) any {
	if len(raw) == 0 || raw[0] != '{' {
		return raw
	}
	return &Object{Kind: KindMessage, Raw: raw}
}

func messageReply(c *Call) (any, error) {
	ref, msg, p, err := messageWithContent(c, "reply")
	if err != nil {
		return nil, err
	}
	raw, err := p.SendMessage(c.Ctx, ref.ChannelID, msg, ref.ID)
	if err != nil {
		return nil, err
	}
	return messageObject(raw), nil
}

func messageEdit(c *Call) (any, error) {
	ref, msg, p, err := messageWithContent(c, "edit")
	if err != nil {
		return nil, err
	}
	raw, err := p.EditMessage(c.Ctx, ref.ChannelID, ref.ID, msg)
	if err != nil {
		return nil, err
	}
	return messageObject(raw), nil
}

// messageWithContent checks what a message method taking one
// content_or_message argument needs, in the order a script would fix them:
// the receiver, the argument, then the platform.
func messageWithContent(c *Call, fn string) (messageRef, map[string]any, Platform, error) {
	if err := checkArgs(c, fn, 1, 1); err != nil {
		return messageRef{}, nil, nil, err
	}
	ref, err := thisMessage(c, fn)
	if err != nil {
		return messageRef{}, nil, nil, err
	}
	msg, err := plainMessage(c, fn, 0)
	if err != nil {
		return messageRef{}, nil, nil, err
	}
	p, err := platform(c, fn)
	if err != nil {
		return messageRef{}, nil, nil, err
	}
	return ref, msg, p, nil
}

func messageDelete(c *Call) (any, error) {
	const fn = "delete"
	if err := checkArgs(c, fn, 0, 0); err != nil {
		return nil, err
	}
	ref, err := thisMessage(c, fn)
	if err != nil {
		return nil, err
	}
	p, err := platform(c, fn)
	if err != nil {
		return nil, err
	}
	return nil, p.DeleteMessage(c.Ctx, ref.ChannelID, ref.ID)
}

func messageReact(c *Call) (any, error) {
	const fn = "react"
	if err := checkArgs(c, fn, 1, 1); err != nil {
		return nil, err
	}
	ref, err := thisMessage(c, fn)
	if err != nil {
		return nil, err
	}
	emoji, err := argString(c, fn, 0, "emoji")
	if err != nil {
		return nil, err
	}
	p, err := platform(c, fn)
	if err != nil {
		return nil, err
	}
	return nil, p.AddReaction(c.Ctx, ref.ChannelID, ref.ID, normalizeEmoji(emoji))
}

// normalizeEmoji accepts a custom emoji as written in message text
// (<:name:id> or <a:name:id>) and returns the name:id form the API wants.
// Unicode emoji pass through.
func normalizeEmoji(e string) string {
	if strings.HasPrefix(e, "<") && strings.HasSuffix(e, ">") {
		e = strings.TrimSuffix(strings.TrimPrefix(e, "<"), ">")
		e = strings.TrimPrefix(e, "a:")
		e = strings.TrimPrefix(e, ":")
	}
	return e
}
