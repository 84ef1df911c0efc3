package emulator

// Intent bits the emulator filters on (Discord gateway intents).
const (
	intentGuilds                 = 1 << 0
	intentGuildMembers           = 1 << 1
	intentGuildPresences         = 1 << 8
	intentGuildMessages          = 1 << 9
	intentGuildMessageReactions  = 1 << 10
	intentDirectMessages         = 1 << 12
	intentDirectMessageReactions = 1 << 13
	intentMessageContent         = 1 << 15

	privilegedIntents = intentGuildMembers | intentGuildPresences | intentMessageContent
	// validIntents are the documented bits 0-16, 20, 21, 24, 25.
	validIntents = (1<<17 - 1) | 1<<20 | 1<<21 | 1<<24 | 1<<25
)

// intentFor is the intent an event needs to reach a session; 0 means it is
// always delivered. dm selects the DIRECT_* variant.
func intentFor(name string, dm bool) uint64 {
	switch name {
	case "GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE", "GUILD_ROLE_CREATE", "GUILD_ROLE_UPDATE", "GUILD_ROLE_DELETE",
		"CHANNEL_CREATE", "CHANNEL_UPDATE", "CHANNEL_DELETE":
		return intentGuilds
	case "GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE":
		return intentGuildMembers
	case "PRESENCE_UPDATE":
		return intentGuildPresences
	case "MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK":
		if dm {
			return intentDirectMessages
		}
		return intentGuildMessages
	case "MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE", "MESSAGE_REACTION_REMOVE_ALL":
		if dm {
			return intentDirectMessageReactions
		}
		return intentGuildMessageReactions
	}
	return 0
}
