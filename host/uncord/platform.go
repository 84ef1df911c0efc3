package uncord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// The methods below have exactly the signatures of the scripts' platform
// interface; the CLI wraps them only to turn *Error into the scripts'
// error type.

// Request performs a raw API call; path is relative to /api/v1.
func (c *Client) Request(ctx context.Context, method, path string, body any) (json.RawMessage, error) {
	return c.Do(ctx, method, path, body)
}

// SendMessage posts a message; replyTo becomes reply_to_id.
func (c *Client) SendMessage(ctx context.Context, channelID string, msg map[string]any, replyTo string) (json.RawMessage, error) {
	body, err := c.messageBody(msg)
	if err != nil {
		return nil, err
	}
	if replyTo != "" {
		body["reply_to_id"] = replyTo
	}
	return c.Do(ctx, "POST", "/channels/"+url.PathEscape(channelID)+"/messages", body)
}

// EditMessage edits the bot's own message (PATCH /messages/{id}; Uncord
// lets only the author edit).
func (c *Client) EditMessage(ctx context.Context, channelID, messageID string, msg map[string]any) (json.RawMessage, error) {
	body, err := c.messageBody(msg)
	if err != nil {
		return nil, err
	}
	delete(body, "attachment_ids")
	return c.Do(ctx, "PATCH", "/messages/"+url.PathEscape(messageID), body)
}

// DeleteMessage deletes a message (DELETE /messages/{id}).
func (c *Client) DeleteMessage(ctx context.Context, channelID, messageID string) error {
	_, err := c.Do(ctx, "DELETE", "/messages/"+url.PathEscape(messageID), nil)
	return err
}

// AddReaction reacts as the bot. emoji is a unicode emoji, or a custom
// emoji as "custom:<uuid>", "name:<uuid>" or "<:name:<uuid>>".
func (c *Client) AddReaction(ctx context.Context, channelID, messageID, emoji string) error {
	seg, err := EncodeEmoji(emoji)
	if err != nil {
		return err
	}
	_, err = c.Do(ctx, "PUT", "/channels/"+url.PathEscape(channelID)+"/messages/"+url.PathEscape(messageID)+"/reactions/"+seg, nil)
	return err
}

var customEmoji = regexp.MustCompile(`^<?a?:?(?:[\w~-]*:)?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})>?$`)

// EncodeEmoji is the {emoji} path segment for a reaction: "custom:<uuid>"
// for a custom emoji, otherwise the emoji percent-encoded with upper-case
// hex, which is how the official client sends it (the server stores the
// segment undecoded, so "%f0…" would be a different reaction).
func EncodeEmoji(emoji string) (string, error) {
	emoji = strings.TrimSpace(emoji)
	if emoji == "" {
		return "", errors.New("uncord: empty emoji")
	}
	if id, ok := strings.CutPrefix(emoji, "custom:"); ok {
		return "custom:" + id, nil
	}
	if m := customEmoji.FindStringSubmatch(emoji); m != nil {
		return "custom:" + strings.ToLower(m[1]), nil
	}
	return percentEncode(emoji), nil
}

// DecodeEmoji undoes the server's percent-encoding of emoji_unicode; text
// that is not valid percent-encoding is returned unchanged.
func DecodeEmoji(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}

func percentEncode(v string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || strings.IndexByte("-_.!~*'()", ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[ch>>4])
		b.WriteByte(hex[ch&15])
	}
	return b.String()
}

// messageBody turns a Discord-style message into Uncord's, which has only
// content, reply_to_id and attachment_ids. Embeds are rendered into the
// text so nothing the script meant to say is lost; other Discord-only
// fields are dropped with one warning each.
func (c *Client) messageBody(msg map[string]any) (map[string]any, error) {
	body := map[string]any{}
	content, _ := msg["content"].(string)
	var dropped []string
	for k, v := range msg {
		switch k {
		case "content":
		case "attachment_ids":
			body[k] = v
		case "embeds":
			if text := renderEmbeds(v); text != "" {
				if content != "" {
					content += "\n"
				}
				content += text
			}
		case "ephemeral", "flags", "tts", "allowed_mentions", "nonce", "message_reference":
			// no counterpart; harmless to drop (ephemeral replies become visible ones)
		default:
			dropped = append(dropped, k)
		}
	}
	sort.Strings(dropped)
	for _, k := range dropped {
		if _, seen := c.warned.LoadOrStore(k, true); !seen {
			c.log.Warn("uncord: message field has no Uncord counterpart and is dropped", "field", k)
		}
	}
	if strings.TrimSpace(content) == "" {
		if _, ok := body["attachment_ids"]; !ok {
			return nil, fmt.Errorf("uncord: a message needs non-empty content on Uncord (it has no embeds or components; got fields %v)", keys(msg))
		}
	}
	body["content"] = content
	return body, nil
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// renderEmbeds writes Discord embeds as plain text: title, description,
// then "name: value" fields.
func renderEmbeds(v any) string {
	list, _ := v.([]any)
	if m, ok := v.(map[string]any); ok {
		list = []any{m}
	}
	var parts []string
	for _, e := range list {
		em, _ := e.(map[string]any)
		var lines []string
		for _, k := range []string{"title", "description"} {
			if s, _ := em[k].(string); s != "" {
				if k == "title" {
					s = "**" + s + "**"
				}
				lines = append(lines, s)
			}
		}
		fields, _ := em["fields"].([]any)
		for _, f := range fields {
			fm, _ := f.(map[string]any)
			n, _ := fm["name"].(string)
			val, _ := fm["value"].(string)
			if n != "" || val != "" {
				lines = append(lines, n+": "+val)
			}
		}
		if ft, _ := em["footer"].(map[string]any); ft != nil {
			if s, _ := ft["text"].(string); s != "" {
				lines = append(lines, s)
			}
		}
		if len(lines) > 0 {
			parts = append(parts, strings.Join(lines, "\n"))
		}
	}
	return strings.Join(parts, "\n\n")
}
