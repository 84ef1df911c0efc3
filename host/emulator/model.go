package emulator

import "encoding/json"

// The types below are the wire shapes of Discord objects, trimmed to the
// fields the emulator models. Ids are snowflake strings, as on the wire.

// User is a Discord user object.
type User struct {
	ID            string  `json:"id"`
	Username      string  `json:"username"`
	GlobalName    *string `json:"global_name"`
	Discriminator string  `json:"discriminator"`
	Avatar        *string `json:"avatar"`
	Bot           bool    `json:"bot,omitempty"`
}

// Member is a guild member; User is omitted inside MESSAGE_CREATE.
type Member struct {
	User     *User    `json:"user,omitempty"`
	GuildID  string   `json:"guild_id,omitempty"`
	Nick     *string  `json:"nick"`
	Roles    []string `json:"roles"`
	JoinedAt string   `json:"joined_at"`
	Deaf     bool     `json:"deaf"`
	Mute     bool     `json:"mute"`
	Flags    int      `json:"flags"`
	Pending  bool     `json:"pending,omitempty"`
	// Permissions is set only where Discord sets it (interactions).
	Permissions string `json:"permissions,omitempty"`
}

// Role is a guild role.
type Role struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Color       int    `json:"color"`
	Hoist       bool   `json:"hoist"`
	Position    int    `json:"position"`
	Permissions string `json:"permissions"`
	Managed     bool   `json:"managed"`
	Mentionable bool   `json:"mentionable"`
	Flags       int    `json:"flags"`
}

// Channel is a guild text channel (type 0) or a DM (type 1).
type Channel struct {
	ID         string  `json:"id"`
	Type       int     `json:"type"`
	GuildID    string  `json:"guild_id,omitempty"`
	Name       string  `json:"name,omitempty"`
	Position   int     `json:"position,omitempty"`
	Topic      *string `json:"topic,omitempty"`
	NSFW       bool    `json:"nsfw,omitempty"`
	LastMsgID  *string `json:"last_message_id"`
	Recipients []User  `json:"recipients,omitempty"`
	ParentID   *string `json:"parent_id,omitempty"`
}

// Guild is the emulated guild; Members and Channels are sent only in
// GUILD_CREATE.
type Guild struct {
	ID                          string    `json:"id"`
	Name                        string    `json:"name"`
	Icon                        *string   `json:"icon"`
	OwnerID                     string    `json:"owner_id"`
	Roles                       []Role    `json:"roles"`
	Emojis                      []any     `json:"emojis"`
	Features                    []string  `json:"features"`
	VerificationLevel           int       `json:"verification_level"`
	DefaultMessageNotifications int       `json:"default_message_notifications"`
	ExplicitContentFilter       int       `json:"explicit_content_filter"`
	MFALevel                    int       `json:"mfa_level"`
	SystemChannelID             *string   `json:"system_channel_id"`
	PreferredLocale             string    `json:"preferred_locale"`
	PremiumTier                 int       `json:"premium_tier"`
	NSFWLevel                   int       `json:"nsfw_level"`
	Stickers                    []any     `json:"stickers"`
	Members                     []Member  `json:"members,omitempty"`
	Channels                    []Channel `json:"channels,omitempty"`
	Threads                     []any     `json:"threads,omitempty"`
	MemberCount                 int       `json:"member_count,omitempty"`
	Large                       *bool     `json:"large,omitempty"`
	Unavailable                 *bool     `json:"unavailable,omitempty"`
	JoinedAt                    string    `json:"joined_at,omitempty"`
	VoiceStates                 []any     `json:"voice_states,omitempty"`
	Presences                   []any     `json:"presences,omitempty"`
	StageInstances              []any     `json:"stage_instances,omitempty"`
	GuildScheduledEvents        []any     `json:"guild_scheduled_events,omitempty"`
	SoundboardSounds            []any     `json:"soundboard_sounds,omitempty"`
}

// MessageReference points a reply at its original.
type MessageReference struct {
	Type            int    `json:"type,omitempty"`
	MessageID       string `json:"message_id,omitempty"`
	ChannelID       string `json:"channel_id,omitempty"`
	GuildID         string `json:"guild_id,omitempty"`
	FailIfNotExists *bool  `json:"fail_if_not_exists,omitempty"`
}

// Reaction is one emoji's tally on a message.
type Reaction struct {
	Count int   `json:"count"`
	Me    bool  `json:"me"`
	Emoji Emoji `json:"emoji"`
}

// Emoji is a unicode emoji (ID nil) or a custom one.
type Emoji struct {
	ID   *string `json:"id"`
	Name string  `json:"name"`
}

// Message is a channel message.
type Message struct {
	ID                string            `json:"id"`
	Type              int               `json:"type"`
	ChannelID         string            `json:"channel_id"`
	GuildID           string            `json:"guild_id,omitempty"`
	Author            User              `json:"author"`
	Member            *Member           `json:"member,omitempty"`
	Content           string            `json:"content"`
	Timestamp         string            `json:"timestamp"`
	EditedTimestamp   *string           `json:"edited_timestamp"`
	TTS               bool              `json:"tts"`
	MentionEveryone   bool              `json:"mention_everyone"`
	Mentions          []User            `json:"mentions"`
	MentionRoles      []string          `json:"mention_roles"`
	Attachments       []json.RawMessage `json:"attachments"`
	Embeds            []json.RawMessage `json:"embeds"`
	Components        []json.RawMessage `json:"components"`
	Reactions         []Reaction        `json:"reactions,omitempty"`
	Pinned            bool              `json:"pinned"`
	Flags             int               `json:"flags"`
	Nonce             any               `json:"nonce,omitempty"`
	WebhookID         string            `json:"webhook_id,omitempty"`
	ApplicationID     string            `json:"application_id,omitempty"`
	MessageReference  *MessageReference `json:"message_reference,omitempty"`
	ReferencedMessage *Message          `json:"referenced_message,omitempty"`
	Interaction       json.RawMessage   `json:"interaction_metadata,omitempty"`

	// reactors records who reacted with what, keyed by emoji key.
	reactors map[string]map[string]bool
}

// Message flags the emulator interprets.
const (
	flagEphemeral = 1 << 6
	flagLoading   = 1 << 7
)
