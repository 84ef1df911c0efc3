package gateway

import (
	"strings"
	"testing"
)

func TestIntentsFor(t *testing.T) {
	tests := []struct {
		events []string
		want   uint64
	}{
		{nil, IntentGuilds},
		{[]string{"INTERACTION_CREATE", "READY"}, IntentGuilds},
		{[]string{"MESSAGE_CREATE"}, 1 | 512 | 4096 | 32768},
		{[]string{"message_create", "MESSAGE_DELETE"}, 1 | 512 | 4096 | 32768},
		{[]string{"GUILD_MEMBER_ADD"}, IntentGuilds | IntentGuildMembers},
		{[]string{"PRESENCE_UPDATE"}, IntentGuilds | IntentGuildPresences},
		{[]string{"MESSAGE_REACTION_ADD"}, IntentGuilds | IntentGuildMessageReactions | IntentDirectMessageReactions},
		{[]string{"TYPING_START", "GUILD_BAN_ADD"}, IntentGuilds | IntentGuildMessageTyping | IntentDirectMessageTyping | IntentGuildModeration},
		{[]string{"AUTO_MODERATION_ACTION_EXECUTION"}, IntentGuilds | IntentAutoModerationExecution},
		{[]string{"*"}, IntentsNonPrivileged | IntentMessageContent},
	}
	for _, tt := range tests {
		if got := IntentsFor(tt.events); got != tt.want {
			t.Errorf("IntentsFor(%v) = %d %v, want %d %v", tt.events, got, IntentNames(got), tt.want, IntentNames(tt.want))
		}
	}
	if IntentsFor([]string{"*"})&(IntentGuildMembers|IntentGuildPresences) != 0 {
		t.Error(`"*" must not request GUILD_MEMBERS or GUILD_PRESENCES`)
	}
}

func TestPrivilegedNamesAndParse(t *testing.T) {
	if got := strings.Join(PrivilegedNames(IntentsAll), ","); got != "GUILD_MEMBERS,GUILD_PRESENCES,MESSAGE_CONTENT" {
		t.Errorf("PrivilegedNames = %s", got)
	}
	bits, err := ParseIntents([]string{"guilds", "GUILD_MESSAGES", "message_content", "GUILD_BANS", "4096"})
	if err != nil || bits != 1|512|32768|4|4096 {
		t.Errorf("ParseIntents = %d %v", bits, err)
	}
	if bits, _ := ParseIntents([]string{"all"}); bits != IntentsAll {
		t.Errorf("all = %d", bits)
	}
	if bits, _ := ParseIntents([]string{"default"}); bits&IntentsPrivileged != 0 {
		t.Errorf("default contains privileged: %v", IntentNames(bits))
	}
	_, err = ParseIntents([]string{"GUILDS", "GILD_MESSAGES", "131072"})
	if err == nil || !strings.Contains(err.Error(), `"GILD_MESSAGES"`) || !strings.Contains(err.Error(), `"131072"`) || !strings.Contains(err.Error(), "GUILD_MESSAGES") {
		t.Errorf("error = %v", err)
	}
	if names := IntentNames(1<<18 | 1); strings.Join(names, ",") != "GUILDS,1<<18" {
		t.Errorf("IntentNames = %v", names)
	}
}

// The name table, IntentsAll and the event table are written separately;
// they must agree.
func TestIntentTablesAgree(t *testing.T) {
	var named uint64
	for _, in := range intentNames {
		if named&in.bit != 0 {
			t.Errorf("%s reuses a bit", in.name)
		}
		named |= in.bit
	}
	if named != IntentsAll {
		t.Errorf("named intents %v differ from IntentsAll %v", IntentNames(named), IntentNames(IntentsAll))
	}
	for ev, bits := range eventIntents {
		if bits&^IntentsAll != 0 {
			t.Errorf("%s needs unknown intents %v", ev, IntentNames(bits&^IntentsAll))
		}
	}
	for old, bits := range intentAliases {
		if bits&^IntentsAll != 0 || bits == 0 {
			t.Errorf("alias %s maps to %d", old, bits)
		}
	}
}
