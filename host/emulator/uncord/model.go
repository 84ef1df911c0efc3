package uncord

import (
	"crypto/rand"
	"fmt"
	"time"
)

// User is the brief user object Uncord puts in messages and members.
type User struct {
	ID          string  `json:"id"`
	Username    string  `json:"username"`
	DisplayName *string `json:"display_name"`
	AvatarKey   *string `json:"avatar_key"`
}

// Channel is a text channel of the server.
type Channel struct {
	ID              string  `json:"id"`
	CategoryID      *string `json:"category_id"`
	CreatedBy       *string `json:"created_by"`
	Name            string  `json:"name"`
	Type            string  `json:"type"`
	Topic           string  `json:"topic"`
	Position        int     `json:"position"`
	SlowmodeSeconds int     `json:"slowmode_seconds"`
	NSFW            bool    `json:"nsfw"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`

	hidden bool // the bot lacks ViewChannels here
}

// Reaction is one emoji's tally on a message, as Uncord lists it inline.
type Reaction struct {
	EmojiID      *string `json:"emoji_id"`
	EmojiUnicode *string `json:"emoji_unicode"`
	Count        int     `json:"count"`
	Me           bool    `json:"me"`
}

// Message is an Uncord message (protocol models.Message).
type Message struct {
	ID          string     `json:"id"`
	ChannelID   string     `json:"channel_id"`
	Author      User       `json:"author"`
	Content     string     `json:"content"`
	Attachments []any      `json:"attachments"`
	Reactions   []Reaction `json:"reactions"`
	ReplyToID   *string    `json:"reply_to_id"`
	Pinned      bool       `json:"pinned"`
	Encrypted   bool       `json:"encrypted"`
	EditedAt    *string    `json:"edited_at"`
	CreatedAt   string     `json:"created_at"`

	deleted bool
	// reactors: raw emoji key ("%F0%9F%91%8D" or "custom:<uuid>") → user ids in order
	reactors map[string][]string
	keys     []string // reaction keys in first-use order
}

// Member is a server member.
type Member struct {
	User         User     `json:"user"`
	Nickname     *string  `json:"nickname"`
	JoinedAt     string   `json:"joined_at"`
	Roles        []string `json:"roles"`
	Status       string   `json:"status"`
	TimeoutUntil *string  `json:"timeout_until"`
}

type account struct {
	user     User
	email    string
	password string
}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func stamp(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }
