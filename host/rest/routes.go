package rest

import (
	"context"
	"encoding/json"
	"net/url"
)

// The helpers below are thin wrappers over Do for the routes bots use most.
// Ids are passed as strings (snowflakes); bodies are anything JSON-encodable.

// CreateMessage posts a message in a channel.
func (c *Client) CreateMessage(ctx context.Context, channelID string, body any, opts ...Option) (json.RawMessage, error) {
	return c.DoWith(ctx, "POST", "/channels/"+seg(channelID)+"/messages", body, opts...)
}

// EditMessage edits a message.
func (c *Client) EditMessage(ctx context.Context, channelID, messageID string, body any) (json.RawMessage, error) {
	return c.Do(ctx, "PATCH", "/channels/"+seg(channelID)+"/messages/"+seg(messageID), body)
}

// DeleteMessage deletes a message.
func (c *Client) DeleteMessage(ctx context.Context, channelID, messageID string, opts ...Option) error {
	_, err := c.DoWith(ctx, "DELETE", "/channels/"+seg(channelID)+"/messages/"+seg(messageID), nil, opts...)
	return err
}

// GetMessage fetches a message.
func (c *Client) GetMessage(ctx context.Context, channelID, messageID string) (json.RawMessage, error) {
	return c.Do(ctx, "GET", "/channels/"+seg(channelID)+"/messages/"+seg(messageID), nil)
}

// AddReaction reacts as the bot; emoji is a unicode emoji or "name:id".
func (c *Client) AddReaction(ctx context.Context, channelID, messageID, emoji string) error {
	_, err := c.Do(ctx, "PUT", "/channels/"+seg(channelID)+"/messages/"+seg(messageID)+"/reactions/"+seg(emoji)+"/@me", nil)
	return err
}

// RemoveOwnReaction removes the bot's reaction.
func (c *Client) RemoveOwnReaction(ctx context.Context, channelID, messageID, emoji string) error {
	_, err := c.Do(ctx, "DELETE", "/channels/"+seg(channelID)+"/messages/"+seg(messageID)+"/reactions/"+seg(emoji)+"/@me", nil)
	return err
}

// GetChannel fetches a channel.
func (c *Client) GetChannel(ctx context.Context, channelID string) (json.RawMessage, error) {
	return c.Do(ctx, "GET", "/channels/"+seg(channelID), nil)
}

// GetMember fetches a guild member.
func (c *Client) GetMember(ctx context.Context, guildID, userID string) (json.RawMessage, error) {
	return c.Do(ctx, "GET", "/guilds/"+seg(guildID)+"/members/"+seg(userID), nil)
}

// AddMemberRole gives a member a role.
func (c *Client) AddMemberRole(ctx context.Context, guildID, userID, roleID string, opts ...Option) error {
	_, err := c.DoWith(ctx, "PUT", "/guilds/"+seg(guildID)+"/members/"+seg(userID)+"/roles/"+seg(roleID), nil, opts...)
	return err
}

// RemoveMemberRole takes a role from a member.
func (c *Client) RemoveMemberRole(ctx context.Context, guildID, userID, roleID string, opts ...Option) error {
	_, err := c.DoWith(ctx, "DELETE", "/guilds/"+seg(guildID)+"/members/"+seg(userID)+"/roles/"+seg(roleID), nil, opts...)
	return err
}

// GetRoles lists a guild's roles.
func (c *Client) GetRoles(ctx context.Context, guildID string) (json.RawMessage, error) {
	return c.Do(ctx, "GET", "/guilds/"+seg(guildID)+"/roles", nil)
}

// InteractionCallback answers an interaction (type 4, 5, 6, 7, 8 or 9).
// It needs no Authorization and is exempt from the global limit.
func (c *Client) InteractionCallback(ctx context.Context, interactionID, token string, body any, opts ...Option) error {
	_, err := c.DoWith(ctx, "POST", "/interactions/"+seg(interactionID)+"/"+seg(token)+"/callback", body, append(opts, WithoutAuth())...)
	return err
}

// CreateFollowup sends a follow-up message to an interaction.
func (c *Client) CreateFollowup(ctx context.Context, applicationID, token string, body any, opts ...Option) (json.RawMessage, error) {
	return c.DoWith(ctx, "POST", "/webhooks/"+seg(applicationID)+"/"+seg(token), body,
		append(opts, WithoutAuth(), WithQuery(url.Values{"wait": {"true"}}))...)
}

// GetOriginal fetches the original interaction response.
func (c *Client) GetOriginal(ctx context.Context, applicationID, token string) (json.RawMessage, error) {
	return c.DoWith(ctx, "GET", "/webhooks/"+seg(applicationID)+"/"+seg(token)+"/messages/@original", nil, WithoutAuth())
}

// EditOriginal edits the original interaction response.
func (c *Client) EditOriginal(ctx context.Context, applicationID, token string, body any) (json.RawMessage, error) {
	return c.DoWith(ctx, "PATCH", "/webhooks/"+seg(applicationID)+"/"+seg(token)+"/messages/@original", body, WithoutAuth())
}

// DeleteOriginal deletes the original interaction response.
func (c *Client) DeleteOriginal(ctx context.Context, applicationID, token string) error {
	_, err := c.DoWith(ctx, "DELETE", "/webhooks/"+seg(applicationID)+"/"+seg(token)+"/messages/@original", nil, WithoutAuth())
	return err
}

// ExecuteWebhook posts through a webhook (wait=true: the message is returned).
func (c *Client) ExecuteWebhook(ctx context.Context, webhookID, token string, body any, opts ...Option) (json.RawMessage, error) {
	return c.DoWith(ctx, "POST", "/webhooks/"+seg(webhookID)+"/"+seg(token), body,
		append(opts, WithoutAuth(), WithQuery(url.Values{"wait": {"true"}}))...)
}

// GetGlobalCommands lists the application's global commands.
func (c *Client) GetGlobalCommands(ctx context.Context, applicationID string) (json.RawMessage, error) {
	return c.Do(ctx, "GET", "/applications/"+seg(applicationID)+"/commands", nil)
}

// BulkOverwriteGlobalCommands replaces all global commands.
func (c *Client) BulkOverwriteGlobalCommands(ctx context.Context, applicationID string, commands any) (json.RawMessage, error) {
	return c.Do(ctx, "PUT", "/applications/"+seg(applicationID)+"/commands", commands)
}

// GetGuildCommands lists the application's commands in one guild.
func (c *Client) GetGuildCommands(ctx context.Context, applicationID, guildID string) (json.RawMessage, error) {
	return c.Do(ctx, "GET", "/applications/"+seg(applicationID)+"/guilds/"+seg(guildID)+"/commands", nil)
}

// BulkOverwriteGuildCommands replaces all commands in one guild.
func (c *Client) BulkOverwriteGuildCommands(ctx context.Context, applicationID, guildID string, commands any) (json.RawMessage, error) {
	return c.Do(ctx, "PUT", "/applications/"+seg(applicationID)+"/guilds/"+seg(guildID)+"/commands", commands)
}

// GatewayBot is the answer of GET /gateway/bot.
type GatewayBot struct {
	URL               string `json:"url"`
	Shards            int    `json:"shards"`
	SessionStartLimit struct {
		Total          int `json:"total"`
		Remaining      int `json:"remaining"`
		ResetAfter     int `json:"reset_after"` // milliseconds
		MaxConcurrency int `json:"max_concurrency"`
	} `json:"session_start_limit"`
}

// GatewayBot fetches the gateway URL, recommended shard count and session
// start limit.
func (c *Client) GatewayBot(ctx context.Context) (GatewayBot, error) {
	var gb GatewayBot
	raw, err := c.Do(ctx, "GET", "/gateway/bot", nil)
	if err != nil {
		return gb, err
	}
	if err := json.Unmarshal(raw, &gb); err != nil {
		return gb, &Error{Status: 200, Method: "GET", Path: "/gateway/bot", Message: "malformed response: " + err.Error()}
	}
	return gb, nil
}

// seg escapes one path segment (emoji, tokens) so it cannot add segments.
func seg(s string) string { return url.PathEscape(s) }
