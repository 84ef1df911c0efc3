package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"

	"github.com/botrun/botrun/bindings"
)

// restDoer is what the adapters need from the REST client: one raw call.
// host/rest.Client satisfies it.
type restDoer interface {
	Do(ctx context.Context, method, path string, body any) (json.RawMessage, error)
}

// platform is bindings.Platform over the Discord REST API.
type platform struct {
	rest   restDoer
	apiErr func(err error, method, path string) error // host error → *bindings.APIError
}

func (p *platform) Request(ctx context.Context, method, path string, body any) (json.RawMessage, error) {
	raw, err := p.rest.Do(ctx, method, path, body)
	if err != nil {
		return nil, p.apiErr(err, method, path)
	}
	return raw, nil
}

func (p *platform) SendMessage(ctx context.Context, channelID string, msg map[string]any, replyTo string) (json.RawMessage, error) {
	body := messageBody(msg)
	if replyTo != "" {
		// fail_if_not_exists=false: a reply to a message deleted
		// meanwhile is still sent, as a plain message.
		body["message_reference"] = map[string]any{"message_id": replyTo, "channel_id": channelID, "fail_if_not_exists": false}
	}
	return p.Request(ctx, "POST", "/channels/"+url.PathEscape(channelID)+"/messages", body)
}

func (p *platform) EditMessage(ctx context.Context, channelID, messageID string, msg map[string]any) (json.RawMessage, error) {
	return p.Request(ctx, "PATCH", "/channels/"+url.PathEscape(channelID)+"/messages/"+url.PathEscape(messageID), messageBody(msg))
}

func (p *platform) DeleteMessage(ctx context.Context, channelID, messageID string) error {
	_, err := p.Request(ctx, "DELETE", "/channels/"+url.PathEscape(channelID)+"/messages/"+url.PathEscape(messageID), nil)
	return err
}

func (p *platform) AddReaction(ctx context.Context, channelID, messageID, emoji string) error {
	path := fmt.Sprintf("/channels/%s/messages/%s/reactions/%s/@me",
		url.PathEscape(channelID), url.PathEscape(messageID), url.PathEscape(emoji))
	_, err := p.Request(ctx, "PUT", path, nil)
	return err
}

// messageBody copies msg, turning the script-friendly ephemeral=true into
// the flags bit the API wants.
func messageBody(msg map[string]any) map[string]any {
	body := maps.Clone(msg)
	if body == nil {
		body = map[string]any{}
	}
	if e, ok := body["ephemeral"]; ok {
		delete(body, "ephemeral")
		if b, _ := e.(bool); b {
			flags := int64(0)
			switch f := body["flags"].(type) {
			case int64:
				flags = f
			case float64:
				flags = int64(f)
			case int:
				flags = int64(f)
			}
			body["flags"] = flags | 64
		}
	}
	return body
}

var _ bindings.Platform = (*platform)(nil)

// plainAPIError wraps an error without an HTTP answer (network, context).
func plainAPIError(err error, method, path string) error {
	var ae *bindings.APIError
	if errors.As(err, &ae) {
		return ae
	}
	return &bindings.APIError{Method: method, Path: path, Message: err.Error()}
}
