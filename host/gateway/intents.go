package gateway

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Intent bits (Discord gateway v10).
const (
	IntentGuilds                      uint64 = 1 << 0
	IntentGuildMembers                uint64 = 1 << 1 // privileged
	IntentGuildModeration             uint64 = 1 << 2
	IntentGuildExpressions            uint64 = 1 << 3
	IntentGuildIntegrations           uint64 = 1 << 4
	IntentGuildWebhooks               uint64 = 1 << 5
	IntentGuildInvites                uint64 = 1 << 6
	IntentGuildVoiceStates            uint64 = 1 << 7
	IntentGuildPresences              uint64 = 1 << 8 // privileged
	IntentGuildMessages               uint64 = 1 << 9
	IntentGuildMessageReactions       uint64 = 1 << 10
	IntentGuildMessageTyping          uint64 = 1 << 11
	IntentDirectMessages              uint64 = 1 << 12
	IntentDirectMessageReactions      uint64 = 1 << 13
	IntentDirectMessageTyping         uint64 = 1 << 14
	IntentMessageContent              uint64 = 1 << 15 // privileged
	IntentGuildScheduledEvents        uint64 = 1 << 16
	IntentAutoModerationConfiguration uint64 = 1 << 20
	IntentAutoModerationExecution     uint64 = 1 << 21
	IntentGuildMessagePolls           uint64 = 1 << 24
	IntentDirectMessagePolls          uint64 = 1 << 25

	// IntentsPrivileged must be enabled in the Developer Portal.
	IntentsPrivileged = IntentGuildMembers | IntentGuildPresences | IntentMessageContent
	// IntentsAll is every documented intent.
	IntentsAll = (1<<17 - 1) | IntentAutoModerationConfiguration | IntentAutoModerationExecution |
		IntentGuildMessagePolls | IntentDirectMessagePolls
	// IntentsNonPrivileged is every documented intent that needs no approval.
	IntentsNonPrivileged = IntentsAll &^ IntentsPrivileged
)

var intentNames = []struct {
	name string
	bit  uint64
}{
	{"GUILDS", IntentGuilds},
	{"GUILD_MEMBERS", IntentGuildMembers},
	{"GUILD_MODERATION", IntentGuildModeration},
	{"GUILD_EXPRESSIONS", IntentGuildExpressions},
	{"GUILD_INTEGRATIONS", IntentGuildIntegrations},
	{"GUILD_WEBHOOKS", IntentGuildWebhooks},
	{"GUILD_INVITES", IntentGuildInvites},
	{"GUILD_VOICE_STATES", IntentGuildVoiceStates},
	{"GUILD_PRESENCES", IntentGuildPresences},
	{"GUILD_MESSAGES", IntentGuildMessages},
	{"GUILD_MESSAGE_REACTIONS", IntentGuildMessageReactions},
	{"GUILD_MESSAGE_TYPING", IntentGuildMessageTyping},
	{"DIRECT_MESSAGES", IntentDirectMessages},
	{"DIRECT_MESSAGE_REACTIONS", IntentDirectMessageReactions},
	{"DIRECT_MESSAGE_TYPING", IntentDirectMessageTyping},
	{"MESSAGE_CONTENT", IntentMessageContent},
	{"GUILD_SCHEDULED_EVENTS", IntentGuildScheduledEvents},
	{"AUTO_MODERATION_CONFIGURATION", IntentAutoModerationConfiguration},
	{"AUTO_MODERATION_EXECUTION", IntentAutoModerationExecution},
	{"GUILD_MESSAGE_POLLS", IntentGuildMessagePolls},
	{"DIRECT_MESSAGE_POLLS", IntentDirectMessagePolls},
}

// old names still accepted in configuration
var intentAliases = map[string]uint64{
	"GUILD_BANS":                IntentGuildModeration,
	"GUILD_EMOJIS_AND_STICKERS": IntentGuildExpressions,
}

// eventIntents maps a dispatch name to the intents that make Discord send
// it. Events sent in guilds and in DMs name both intents; MESSAGE_* also
// ask for MESSAGE_CONTENT, since a handler of messages almost always reads
// their content. Events absent from the table (READY, RESUMED,
// INTERACTION_CREATE, USER_UPDATE, ENTITLEMENT_*, ...) need no intent.
var eventIntents = map[string]uint64{
	"GUILD_CREATE": IntentGuilds, "GUILD_UPDATE": IntentGuilds, "GUILD_DELETE": IntentGuilds,
	"GUILD_ROLE_CREATE": IntentGuilds, "GUILD_ROLE_UPDATE": IntentGuilds, "GUILD_ROLE_DELETE": IntentGuilds,
	"CHANNEL_CREATE": IntentGuilds, "CHANNEL_UPDATE": IntentGuilds, "CHANNEL_DELETE": IntentGuilds,
	"CHANNEL_PINS_UPDATE": IntentGuilds | IntentDirectMessages,
	"THREAD_CREATE":       IntentGuilds, "THREAD_UPDATE": IntentGuilds, "THREAD_DELETE": IntentGuilds,
	"THREAD_LIST_SYNC": IntentGuilds, "THREAD_MEMBER_UPDATE": IntentGuilds,
	"THREAD_MEMBERS_UPDATE": IntentGuilds | IntentGuildMembers,
	"STAGE_INSTANCE_CREATE": IntentGuilds, "STAGE_INSTANCE_UPDATE": IntentGuilds, "STAGE_INSTANCE_DELETE": IntentGuilds,
	"GUILD_SOUNDBOARD_SOUND_CREATE": IntentGuildExpressions, "GUILD_SOUNDBOARD_SOUND_UPDATE": IntentGuildExpressions,
	"GUILD_SOUNDBOARD_SOUND_DELETE": IntentGuildExpressions, "GUILD_SOUNDBOARD_SOUNDS_UPDATE": IntentGuildExpressions,

	"GUILD_MEMBER_ADD": IntentGuildMembers, "GUILD_MEMBER_UPDATE": IntentGuildMembers, "GUILD_MEMBER_REMOVE": IntentGuildMembers,

	"GUILD_AUDIT_LOG_ENTRY_CREATE": IntentGuildModeration,
	"GUILD_BAN_ADD":                IntentGuildModeration, "GUILD_BAN_REMOVE": IntentGuildModeration,

	"GUILD_EMOJIS_UPDATE": IntentGuildExpressions, "GUILD_STICKERS_UPDATE": IntentGuildExpressions,

	"GUILD_INTEGRATIONS_UPDATE": IntentGuildIntegrations,
	"INTEGRATION_CREATE":        IntentGuildIntegrations, "INTEGRATION_UPDATE": IntentGuildIntegrations, "INTEGRATION_DELETE": IntentGuildIntegrations,

	"WEBHOOKS_UPDATE": IntentGuildWebhooks,

	"INVITE_CREATE": IntentGuildInvites, "INVITE_DELETE": IntentGuildInvites,

	"VOICE_CHANNEL_EFFECT_SEND": IntentGuildVoiceStates, "VOICE_STATE_UPDATE": IntentGuildVoiceStates,

	"PRESENCE_UPDATE": IntentGuildPresences,

	"MESSAGE_CREATE":      IntentGuildMessages | IntentDirectMessages | IntentMessageContent,
	"MESSAGE_UPDATE":      IntentGuildMessages | IntentDirectMessages | IntentMessageContent,
	"MESSAGE_DELETE":      IntentGuildMessages | IntentDirectMessages,
	"MESSAGE_DELETE_BULK": IntentGuildMessages,

	"MESSAGE_REACTION_ADD":          IntentGuildMessageReactions | IntentDirectMessageReactions,
	"MESSAGE_REACTION_REMOVE":       IntentGuildMessageReactions | IntentDirectMessageReactions,
	"MESSAGE_REACTION_REMOVE_ALL":   IntentGuildMessageReactions | IntentDirectMessageReactions,
	"MESSAGE_REACTION_REMOVE_EMOJI": IntentGuildMessageReactions | IntentDirectMessageReactions,

	"TYPING_START": IntentGuildMessageTyping | IntentDirectMessageTyping,

	"GUILD_SCHEDULED_EVENT_CREATE": IntentGuildScheduledEvents, "GUILD_SCHEDULED_EVENT_UPDATE": IntentGuildScheduledEvents,
	"GUILD_SCHEDULED_EVENT_DELETE": IntentGuildScheduledEvents, "GUILD_SCHEDULED_EVENT_USER_ADD": IntentGuildScheduledEvents,
	"GUILD_SCHEDULED_EVENT_USER_REMOVE": IntentGuildScheduledEvents,

	"AUTO_MODERATION_RULE_CREATE": IntentAutoModerationConfiguration, "AUTO_MODERATION_RULE_UPDATE": IntentAutoModerationConfiguration,
	"AUTO_MODERATION_RULE_DELETE":      IntentAutoModerationConfiguration,
	"AUTO_MODERATION_ACTION_EXECUTION": IntentAutoModerationExecution,

	"MESSAGE_POLL_VOTE_ADD":    IntentGuildMessagePolls | IntentDirectMessagePolls,
	"MESSAGE_POLL_VOTE_REMOVE": IntentGuildMessagePolls | IntentDirectMessagePolls,
}

// IntentsFor returns the intents needed to receive the named dispatches.
// GUILDS is always included: without it the bot knows no guilds or
// channels. "*" (a handler of every event) asks for every non-privileged
// intent plus MESSAGE_CONTENT, matching what a MESSAGE_CREATE handler
// would get; the other privileged intents (GUILD_MEMBERS,
// GUILD_PRESENCES) are only requested by handlers of their own events.
// Unknown names need no intent.
func IntentsFor(events []string) uint64 {
	bits := IntentGuilds
	for _, e := range events {
		e = strings.ToUpper(strings.TrimSpace(e))
		if e == "*" {
			bits |= IntentsNonPrivileged | IntentMessageContent
			continue
		}
		bits |= eventIntents[e]
	}
	return bits
}

// IntentNames lists the names of the set bits (unknown bits as numbers).
func IntentNames(bits uint64) []string {
	var out []string
	for _, in := range intentNames {
		if bits&in.bit != 0 {
			out = append(out, in.name)
			bits &^= in.bit
		}
	}
	for i := 0; bits != 0; i++ {
		if bits&(1<<i) != 0 {
			out = append(out, "1<<"+strconv.Itoa(i))
			bits &^= 1 << i
		}
	}
	return out
}

// PrivilegedNames lists the privileged intents among bits.
func PrivilegedNames(bits uint64) []string { return IntentNames(bits & IntentsPrivileged) }

// ParseIntents parses intent names from configuration (case-insensitive,
// old names GUILD_BANS and GUILD_EMOJIS_AND_STICKERS accepted), numbers, or
// the words "all" (every intent) and "default" / "non_privileged".
func ParseIntents(names []string) (uint64, error) {
	var bits uint64
	var bad []string
	for _, n := range names {
		u := strings.ToUpper(strings.TrimSpace(n))
		u = strings.TrimPrefix(u, "INTENT_")
		if v, err := strconv.ParseUint(u, 10, 64); err == nil {
			if v&^IntentsAll != 0 {
				bad = append(bad, n)
				continue
			}
			bits |= v
			continue
		}
		switch u {
		case "ALL":
			bits |= IntentsAll
			continue
		case "DEFAULT", "NON_PRIVILEGED":
			bits |= IntentsNonPrivileged
			continue
		}
		if b, ok := intentAliases[u]; ok {
			bits |= b
			continue
		}
		found := false
		for _, in := range intentNames {
			if in.name == u {
				bits |= in.bit
				found = true
				break
			}
		}
		if !found {
			bad = append(bad, n)
		}
	}
	if len(bad) > 0 {
		known := make([]string, 0, len(intentNames))
		for _, in := range intentNames {
			known = append(known, in.name)
		}
		sort.Strings(known)
		return 0, fmt.Errorf("unknown intent %s; known intents: %s", strings.Join(quoteAll(bad), ", "), strings.Join(known, ", "))
	}
	return bits, nil
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strconv.Quote(v)
	}
	return out
}
