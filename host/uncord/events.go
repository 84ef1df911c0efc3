package uncord

import (
	"bytes"
	"encoding/json"
	"sort"
)

// discordNames maps each Uncord dispatch name that Discord spells
// differently to Discord's name. Names both platforms share (MESSAGE_CREATE,
// CHANNEL_UPDATE, TYPING_START, PRESENCE_UPDATE, READY, …) need no entry.
var discordNames = map[string]string{
	"MEMBER_ADD":      "GUILD_MEMBER_ADD",
	"MEMBER_UPDATE":   "GUILD_MEMBER_UPDATE",
	"MEMBER_REMOVE":   "GUILD_MEMBER_REMOVE",
	"REACTION_ADD":    "MESSAGE_REACTION_ADD",
	"REACTION_REMOVE": "MESSAGE_REACTION_REMOVE",
	"ROLE_CREATE":     "GUILD_ROLE_CREATE",
	"ROLE_UPDATE":     "GUILD_ROLE_UPDATE",
	"ROLE_DELETE":     "GUILD_ROLE_DELETE",
	"SERVER_UPDATE":   "GUILD_UPDATE",
	"EMOJI_UPDATE":    "GUILD_EMOJIS_UPDATE",
	// Never emitted by the server (no payload is defined); routed to
	// command handlers if it ever is.
	"SLASH_COMMAND_INVOCATION": "INTERACTION_CREATE",
}

// uncordNames is the reverse of discordNames.
var uncordNames = func() map[string]string {
	m := make(map[string]string, len(discordNames))
	for u, d := range discordNames {
		m[d] = u
	}
	return m
}()

// UncordOnly lists Uncord events without a Discord counterpart; scripts
// subscribe to them by their Uncord name.
var UncordOnly = []string{"TYPING_STOP", "MESSAGE_ACK", "DM_CHANNEL_CREATE", "DM_MESSAGE_CREATE",
	"DM_MESSAGE_UPDATE", "DM_MESSAGE_DELETE", "KEY_BUNDLE_LOW", "IDENTITY_KEY_CHANGED", "INVITE_CREATE", "INVITE_DELETE"}

// Aliases returns the other names an event is known by: for an Uncord name
// its Discord name and for a Discord name its Uncord name, so a handler
// subscribed under either receives it. nil when the name is the same on
// both platforms or has no counterpart.
func Aliases(name string) []string {
	if d, ok := discordNames[name]; ok {
		return []string{d}
	}
	if u, ok := uncordNames[name]; ok {
		return []string{u}
	}
	return nil
}

// EventMapping returns the Uncord → Discord name table, sorted by Uncord
// name (for documentation and the console).
func EventMapping() [][2]string {
	out := make([][2]string, 0, len(discordNames))
	for u, d := range discordNames {
		out = append(out, [2]string{u, d})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// Normalize applies the payload changes the script contract allows:
// reaction emoji_unicode (in REACTION_* events and in a message's inline
// reactions) is percent-decoded, and the bot's own messages carry
// author.bot = true so scripts can ignore themselves as on Discord. selfID
// is the bot's user id ("" = unknown). Data it cannot parse, or that needs
// no change, is returned as is.
func Normalize(name string, data json.RawMessage, selfID string) json.RawMessage {
	switch name {
	case "REACTION_ADD", "REACTION_REMOVE":
		if !bytes.Contains(data, []byte("%")) {
			return data
		}
		m, ok := decodeObject(data)
		if !ok {
			return data
		}
		if s, ok := m["emoji_unicode"].(string); ok {
			m["emoji_unicode"] = DecodeEmoji(s)
		}
		return remarshal(m, data)
	case "MESSAGE_CREATE", "MESSAGE_UPDATE", "DM_MESSAGE_CREATE", "DM_MESSAGE_UPDATE":
		own := selfID != "" && bytes.Contains(data, []byte(selfID))
		if !own && !bytes.Contains(data, []byte("%")) {
			return data
		}
		m, ok := decodeObject(data)
		if !ok {
			return data
		}
		changed := false
		if a, ok := m["author"].(map[string]any); ok && own && a["id"] == selfID {
			a["bot"] = true
			changed = true
		}
		if rs, ok := m["reactions"].([]any); ok {
			for _, r := range rs {
				if rm, ok := r.(map[string]any); ok {
					if s, ok := rm["emoji_unicode"].(string); ok && s != DecodeEmoji(s) {
						rm["emoji_unicode"] = DecodeEmoji(s)
						changed = true
					}
				}
			}
		}
		if !changed {
			return data
		}
		return remarshal(m, data)
	}
	return data
}

// decodeObject decodes a JSON object keeping numbers exact.
func decodeObject(data []byte) (map[string]any, bool) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var m map[string]any
	if d.Decode(&m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

func remarshal(m map[string]any, orig json.RawMessage) json.RawMessage {
	b, err := json.Marshal(m)
	if err != nil {
		return orig
	}
	return b
}
