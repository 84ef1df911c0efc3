package emulator

import (
	"slices"
	"strconv"
	"time"
)

// Snowflakes are deterministic so test output and golden files are stable.
// Guild ids are built so (id>>22) % n == i % n for guild i and every shard
// count n up to 16 (720720 is divisible by 1..16).
const (
	guildIDBase  = 720720 * 500000
	idBase       = uint64(guildIDBase+100000) << 22
	discordEpoch = 1420070400000
)

// world is the emulated platform state. Server.mu guards all of it.
type world struct {
	bot    User
	tester User
	appID  string
	users  map[string]*User

	guilds   []*guildState
	channels map[string]*Channel
	dm       *Channel // the DM between tester and the bot

	messages map[string][]*Message // by channel id, oldest first
	msgByID  map[string]*Message

	// ephemerals are the latest ephemeral bot messages, oldest first:
	// only their user sees them, but their components can be clicked.
	ephemerals []*Message

	commands     map[string][]*command // by scope: "" global, else guild id
	interactions map[string]*interaction

	nextID uint64
}

type guildState struct {
	guild    Guild // without members and channels
	members  map[string]*Member
	order    []string // member user ids in join order
	channels []string
}

func strp(s string) *string { return &s }

func newWorld(guilds int, now time.Time) *world {
	w := &world{
		users:        map[string]*User{},
		channels:     map[string]*Channel{},
		messages:     map[string][]*Message{},
		msgByID:      map[string]*Message{},
		commands:     map[string][]*command{},
		interactions: map[string]*interaction{},
		nextID:       idBase,
	}
	w.bot = User{ID: w.newID(), Username: "botrun", GlobalName: strp("botrun"), Discriminator: "0", Bot: true}
	w.appID = w.bot.ID
	w.tester = User{ID: w.newID(), Username: "tester", GlobalName: strp("Tester"), Discriminator: "0"}
	w.users[w.bot.ID] = &w.bot
	w.users[w.tester.ID] = &w.tester
	joined := now.UTC().Format(time.RFC3339Nano)
	for i := range guilds {
		gid := strconv.FormatUint(uint64(guildIDBase+i)<<22, 10)
		name := "botrun test"
		if i > 0 {
			name = "botrun test " + strconv.Itoa(i+1)
		}
		gs := &guildState{members: map[string]*Member{}}
		modID, memberID := w.newID(), w.newID()
		gs.guild = Guild{
			ID: gid, Name: name, OwnerID: w.tester.ID,
			Roles: []Role{
				{ID: gid, Name: "@everyone", Permissions: "2248473465835073"},
				{ID: modID, Name: "Moderator", Color: 0x3498db, Hoist: true, Position: 2, Permissions: "1099511627775", Mentionable: true},
				{ID: memberID, Name: "Member", Color: 0x2ecc71, Position: 1, Permissions: "2248473465835073"},
			},
			Emojis: []any{}, Features: []string{}, Stickers: []any{},
			PreferredLocale: "en-US",
		}
		for pos, cname := range []string{"general", "welcome"} {
			c := &Channel{ID: w.newID(), Type: 0, GuildID: gid, Name: cname, Position: pos}
			w.channels[c.ID] = c
			gs.channels = append(gs.channels, c.ID)
		}
		gs.guild.SystemChannelID = strp(gs.channels[1])
		w.guilds = append(w.guilds, gs)
		gs.addMember(&w.bot, nil, joined)
		gs.addMember(&w.tester, []string{memberID}, joined)
	}
	w.dm = &Channel{ID: w.newID(), Type: 1, Recipients: []User{w.tester}}
	w.channels[w.dm.ID] = w.dm
	return w
}

func (w *world) newID() string {
	w.nextID++
	return strconv.FormatUint(w.nextID, 10)
}

func (gs *guildState) addMember(u *User, roles []string, joined string) *Member {
	if roles == nil {
		roles = []string{}
	}
	m := &Member{User: u, Roles: roles, JoinedAt: joined, Flags: 0}
	gs.members[u.ID] = m
	gs.order = append(gs.order, u.ID)
	return m
}

func (w *world) guild(id string) *guildState {
	for _, g := range w.guilds {
		if g.guild.ID == id {
			return g
		}
	}
	return nil
}

// channelByName finds a text channel of the first guild by name.
func (w *world) channelByName(name string) *Channel {
	for _, id := range w.guilds[0].channels {
		if c := w.channels[id]; c.Name == name {
			return c
		}
	}
	return nil
}

func (gs *guildState) hasRole(id string) bool {
	return slices.ContainsFunc(gs.guild.Roles, func(r Role) bool { return r.ID == id })
}

// member returns a copy of a member with its user, as REST returns it.
func (gs *guildState) member(userID string) (Member, bool) {
	m, ok := gs.members[userID]
	if !ok {
		return Member{}, false
	}
	c := *m
	u := *m.User
	c.User = &u
	c.Roles = slices.Clone(m.Roles)
	return c, true
}

// fullGuild is the GUILD_CREATE / GET shape.
func (w *world) fullGuild(gs *guildState, withState bool) Guild {
	g := gs.guild
	g.Roles = slices.Clone(g.Roles)
	g.MemberCount = len(gs.members)
	if withState {
		f := false
		g.Large = &f
		g.Unavailable = &f
		g.JoinedAt = gs.members[w.bot.ID].JoinedAt
		for _, id := range gs.order {
			m, _ := gs.member(id)
			g.Members = append(g.Members, m)
		}
		for _, id := range gs.channels {
			g.Channels = append(g.Channels, *w.channels[id])
		}
		g.Threads, g.VoiceStates, g.Presences = []any{}, []any{}, []any{}
		g.StageInstances, g.GuildScheduledEvents, g.SoundboardSounds = []any{}, []any{}, []any{}
	}
	return g
}

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000+00:00") }

// maxEphemerals bounds the ephemeral messages kept for component clicks.
const maxEphemerals = 500

func (w *world) rememberEphemeral(m *Message) {
	w.ephemerals = append(w.ephemerals, m)
	if len(w.ephemerals) > maxEphemerals {
		w.ephemerals = slices.Delete(w.ephemerals, 0, len(w.ephemerals)-maxEphemerals)
	}
}

func (w *world) ephemeral(id string) *Message {
	for _, m := range w.ephemerals {
		if m.ID == id {
			return m
		}
	}
	return nil
}
