package bindings

import (
	"context"
	"encoding/json"
)

// Platform is the REST side of a chat platform as bindings need it. The
// host's dialect (Discord, Uncord) implements it; scripts and bindings never
// branch on the platform. Failures are *APIError where the platform answered.
type Platform interface {
	// Request performs a raw API call; path is relative to the API base
	// ("/channels/1/messages"), body is JSON-encodable or nil.
	Request(ctx context.Context, method, path string, body any) (json.RawMessage, error)
	// SendMessage creates a message in a channel. replyTo, when non-empty,
	// is the id of the message being replied to.
	SendMessage(ctx context.Context, channelID string, msg map[string]any, replyTo string) (json.RawMessage, error)
	EditMessage(ctx context.Context, channelID, messageID string, msg map[string]any) (json.RawMessage, error)
	DeleteMessage(ctx context.Context, channelID, messageID string) error
	// AddReaction reacts as the bot; emoji is a unicode emoji or "name:id".
	AddReaction(ctx context.Context, channelID, messageID, emoji string) error
}

// InteractionRef identifies an interaction to respond to.
type InteractionRef struct {
	ID            string
	Token         string
	ApplicationID string
	ChannelID     string
	Type          int
	// MessageID is the triggering message on platforms that emulate
	// commands with text messages (Uncord), empty otherwise.
	MessageID string
}

// ResponseKind is the kind of an initial interaction response.
type ResponseKind int

const (
	RespondMessage      ResponseKind = 4 // CHANNEL_MESSAGE_WITH_SOURCE
	RespondDefer        ResponseKind = 5 // DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
	RespondDeferUpdate  ResponseKind = 6 // DEFERRED_UPDATE_MESSAGE
	RespondUpdate       ResponseKind = 7 // UPDATE_MESSAGE
	RespondAutocomplete ResponseKind = 8 // APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
	RespondModal        ResponseKind = 9 // MODAL
)

// Interactions answers interactions. The host implementation owns the
// 3-second deadline (auto-defer) and turns a late Respond into an edit of the
// original response; it reports double responses as errors.
type Interactions interface {
	Respond(ctx context.Context, ix InteractionRef, kind ResponseKind, data map[string]any) (json.RawMessage, error)
	Followup(ctx context.Context, ix InteractionRef, msg map[string]any) (json.RawMessage, error)
	EditOriginal(ctx context.Context, ix InteractionRef, msg map[string]any) (json.RawMessage, error)
	DeleteOriginal(ctx context.Context, ix InteractionRef) error
}

// Gateway is the part of the gateway session scripts may use.
type Gateway interface {
	// UpdatePresence sends op 3 through the gateway's send limiter on every
	// shard.
	UpdatePresence(ctx context.Context, presence map[string]any) error
}

// Store is one script's persistent key-value store of JSON values. Keys of
// different scripts never collide (the host namespaces them).
type Store interface {
	Get(ctx context.Context, key string) (value json.RawMessage, found bool, err error)
	Set(ctx context.Context, key string, value json.RawMessage) error
	Delete(ctx context.Context, key string) error
}
