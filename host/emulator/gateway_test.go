package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestHelloHeartbeatAck(t *testing.T) {
	s := start(t, Options{HeartbeatInterval: 75 * time.Millisecond})
	c := dial(t, s.GatewayURL()+"/?v=10&encoding=json")
	if iv := c.hello(); iv != 75 {
		t.Fatalf("heartbeat_interval = %d, want 75", iv)
	}
	// A heartbeat is answered before identify, too.
	c.send(map[string]any{"op": 1, "d": nil})
	if f := c.next(); f.Op != opHeartbeatACK {
		t.Fatalf("want ACK, got %+v", f)
	}
	c.send(identifyPayload(s.Token(), allIntents, nil))
	c.expectDispatch("READY")
	c.send(map[string]any{"op": 1, "d": 1})
	c.expectDispatch("GUILD_CREATE")
	if f := c.next(); f.Op != opHeartbeatACK || f.S != nil || string(f.D) != "null" {
		t.Fatalf("want ACK {op:11,d:null,s:null}, got %+v", f)
	}
}

func TestHeartbeatTimeoutCloses4009(t *testing.T) {
	s := start(t, Options{HeartbeatInterval: 50 * time.Millisecond, HeartbeatTimeout: 150 * time.Millisecond})
	c, _, _ := connect(t, s, allIntents, nil)
	c.expectClose(4009)
	waitFor(t, "session to end", func() bool { return len(s.Sessions()) == 0 })
}

func TestIdentifyErrors(t *testing.T) {
	big := strings.Repeat("x", 5000)
	tests := []struct {
		name  string
		opts  Options
		query string
		sends []any // frames after Hello
		code  int
	}{
		{"wrong token", Options{Token: "secret"}, "", []any{identifyPayload("nope", 513, nil)}, 4004},
		{"empty token", Options{}, "", []any{identifyPayload("", 513, nil)}, 4004},
		{"undocumented intent bit", Options{}, "", []any{identifyPayload("t", 1<<30, nil)}, 4013},
		{"missing intents", Options{}, "", []any{map[string]any{"op": 2, "d": map[string]any{"token": "t", "properties": map[string]any{}}}}, 4013},
		{"privileged intent not enabled", Options{AllowedIntents: NoPrivilegedIntents}, "", []any{identifyPayload("t", intentGuilds|intentMessageContent, nil)}, 4014},
		{"shard id out of range", Options{}, "", []any{identifyPayload("t", 1, []int{2, 2})}, 4010},
		{"shard count zero", Options{}, "", []any{identifyPayload("t", 1, []int{0, 0})}, 4010},
		{"sharding required", Options{MinShards: 2}, "", []any{identifyPayload("t", 1, []int{0, 1})}, 4011},
		{"identify twice", Options{}, "", []any{identifyPayload("t", 1, nil), identifyPayload("t", 1, nil)}, 4005},
		{"presence before identify", Options{}, "", []any{map[string]any{"op": 3, "d": map[string]any{"status": "idle"}}}, 4003},
		{"not json", Options{}, "", []any{[]byte("{op:1")}, 4002},
		{"no op", Options{}, "", []any{[]byte(`{"d":null}`)}, 4002},
		{"payload over 4096 bytes", Options{}, "", []any{[]byte(`{"op":1,"d":"` + big + `"}`)}, 4002},
		{"unknown opcode", Options{}, "", []any{identifyPayload("t", 1, nil), map[string]any{"op": 99, "d": nil}}, 4001},
		{"api version", Options{}, "?v=8", nil, 4012},
		{"etf encoding", Options{}, "?v=10&encoding=etf", nil, 4002},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, tt.opts)
			c := dial(t, s.GatewayURL()+"/"+tt.query)
			if tt.sends != nil {
				c.hello()
			}
			for _, f := range tt.sends {
				c.send(f)
			}
			c.expectClose(tt.code)
		})
	}
}

func TestIdentifyAcceptsBotPrefixAndLegacyProperties(t *testing.T) {
	s := start(t, Options{Token: "secret"})
	c := dial(t, s.GatewayURL()+"?v=9&encoding=json")
	c.hello()
	c.send(map[string]any{"op": 2, "d": map[string]any{"token": "Bot secret", "intents": 513, "compress": true, "large_threshold": 250,
		"properties": map[string]any{"$os": "linux", "$browser": "DiscordGo", "$device": ""}}})
	c.expectDispatch("READY")
}

func TestReadyAndGuildCreate(t *testing.T) {
	s := start(t, Options{})
	c, r, f := connect(t, s, allIntents, nil)
	if *f.S != 1 || r.V != 10 || r.SessionID == "" || r.Shard != [2]int{0, 1} {
		t.Fatalf("READY s=%d %+v", *f.S, r)
	}
	if r.ResumeURL != s.GatewayURL()+"/resume" {
		t.Fatalf("resume_gateway_url = %q", r.ResumeURL)
	}
	if r.User.ID != s.BotUser().ID || !r.User.Bot || r.App.ID != s.ApplicationID() {
		t.Fatalf("READY user/app: %+v", r)
	}
	if len(r.Guilds) != 1 || r.Guilds[0].ID != s.GuildID() || r.Guilds[0].Unavailable == nil || !*r.Guilds[0].Unavailable {
		t.Fatalf("READY guilds = %+v", r.Guilds)
	}
	gc := c.expectDispatch("GUILD_CREATE")
	if *gc.S != 2 {
		t.Fatalf("GUILD_CREATE s = %d", *gc.S)
	}
	g := unmarshal[Guild](t, gc.D)
	if g.ID != s.GuildID() || len(g.Channels) != 2 || len(g.Members) != 2 || len(g.Roles) != 3 || g.Unavailable == nil || *g.Unavailable {
		t.Fatalf("GUILD_CREATE = %s", gc.D)
	}
	if g.Channels[0].ID != s.ChannelID("general") || g.Channels[0].Name != "general" {
		t.Fatalf("channels = %+v", g.Channels)
	}
	// Without GUILD_PRESENCES, GUILD_CREATE lists only the bot.
	c2, _, _ := connect(t, s, allIntents&^intentGuildPresences, nil)
	if g := unmarshal[Guild](t, c2.expectDispatch("GUILD_CREATE").D); len(g.Members) != 1 || g.Members[0].User.ID != s.BotUser().ID || g.MemberCount != 2 {
		t.Fatalf("GUILD_CREATE without presences: %d members", len(g.Members))
	}
	si := s.Sessions()
	i := slices.IndexFunc(si, func(x SessionInfo) bool { return x.ID == r.SessionID })
	if len(si) != 2 || i < 0 || !si[i].Connected || si[i].Seq != 2 || si[i].Intents != allIntents {
		t.Fatalf("Sessions = %+v", si)
	}
}

func TestMessageCreateDispatch(t *testing.T) {
	s := start(t, Options{})
	c, _, _ := connect(t, s, allIntents, nil)
	c.expectDispatch("GUILD_CREATE")
	m, err := s.InjectMessage(s.ChannelID("general"), "!ping <@"+s.BotUser().ID+">")
	if err != nil {
		t.Fatal(err)
	}
	f := c.expectDispatch("MESSAGE_CREATE")
	got := unmarshal[Message](t, f.D)
	if got.ID != m.ID || got.Content != m.Content || got.GuildID != s.GuildID() || got.Author.ID != s.TestUser().ID ||
		got.Member == nil || got.Member.User != nil || len(got.Mentions) != 1 || got.Mentions[0].ID != s.BotUser().ID {
		t.Fatalf("MESSAGE_CREATE = %s", f.D)
	}
	// A reply from another member carries the original.
	u, err := s.AddMember("alice")
	if err != nil {
		t.Fatal(err)
	}
	c.expectDispatch("GUILD_MEMBER_ADD")
	if _, err := s.InjectMessage(s.ChannelID("general"), "re", From(u.User.ID), ReplyTo(m.ID)); err != nil {
		t.Fatal(err)
	}
	reply := unmarshal[Message](t, c.expectDispatch("MESSAGE_CREATE").D)
	if reply.Type != 19 || reply.Author.Username != "alice" || reply.ReferencedMessage == nil || reply.ReferencedMessage.ID != m.ID {
		t.Fatalf("reply = %+v", reply)
	}
	if _, err := s.InjectMessage("123", "x"); err == nil {
		t.Fatal("InjectMessage into an unknown channel succeeded")
	}
	if _, err := s.InjectMessage(s.ChannelID("general"), "x", From("42")); err == nil {
		t.Fatal("InjectMessage from an unknown user succeeded")
	}
}

func TestIntentsFilteringAndMessageContent(t *testing.T) {
	s := start(t, Options{})
	full, _, _ := connect(t, s, intentGuilds|intentGuildMessages|intentDirectMessages|intentMessageContent, nil)
	noContent, _, _ := connect(t, s, intentGuilds|intentGuildMessages|intentDirectMessages, nil)
	dmOnly, _, _ := connect(t, s, intentDirectMessages, nil)
	full.expectDispatch("GUILD_CREATE")
	noContent.expectDispatch("GUILD_CREATE")

	bot := s.BotUser().ID
	if _, err := s.InjectMessage(s.ChannelID("general"), "secret"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.InjectMessage(s.ChannelID("general"), "hi <@"+bot+">"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.InjectMessage(s.DMChannelID(), "dm text"); err != nil {
		t.Fatal(err)
	}
	contents := func(c *client) []string {
		var out []string
		for range 3 {
			f := c.expectDispatch("MESSAGE_CREATE")
			out = append(out, unmarshal[Message](t, f.D).Content)
		}
		return out
	}
	if got := strings.Join(contents(full), "|"); got != "secret|hi <@"+bot+">|dm text" {
		t.Fatalf("with MESSAGE_CONTENT: %s", got)
	}
	// Without MESSAGE_CONTENT, guild messages arrive empty unless they
	// mention the bot; DMs keep their content.
	if got := strings.Join(contents(noContent), "|"); got != "|hi <@"+bot+">|dm text" {
		t.Fatalf("without MESSAGE_CONTENT: %q", got)
	}
	// Without GUILDS there is no GUILD_CREATE, and without GUILD_MESSAGES
	// only the DM arrives.
	if f := dmOnly.expectDispatch("MESSAGE_CREATE"); unmarshal[Message](t, f.D).Content != "dm text" {
		t.Fatalf("DM only: %s", f.D)
	}
}

func TestResumeReplaysInOrderThenResumed(t *testing.T) {
	s := start(t, Options{})
	c, r, _ := connect(t, s, allIntents, nil)
	c.expectDispatch("GUILD_CREATE")
	_ = c.ws.NetConn().Close() // network failure: no close frame
	waitFor(t, "the session to lose its connection", func() bool { return connectedSessions(s) == 0 })
	var want []string
	for i := range 3 {
		m, err := s.InjectMessage(s.ChannelID("general"), "missed "+itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, m.ID)
	}
	c2 := dial(t, r.ResumeURL+"?v=10&encoding=json")
	c2.hello()
	c2.send(map[string]any{"op": 6, "d": map[string]any{"token": "Bot " + s.Token(), "session_id": r.SessionID, "seq": 2}})
	for i, id := range want {
		f := c2.expectDispatch("MESSAGE_CREATE")
		if *f.S != int64(3+i) || unmarshal[Message](t, f.D).ID != id {
			t.Fatalf("replay %d: s=%d %s", i, *f.S, f.D)
		}
	}
	if f := c2.expectDispatch("RESUMED"); *f.S != 6 {
		t.Fatalf("RESUMED s = %d", *f.S)
	}
	// The resumed connection gets live events with the next sequence.
	if _, err := s.InjectMessage(s.ChannelID("general"), "live"); err != nil {
		t.Fatal(err)
	}
	if f := c2.expectDispatch("MESSAGE_CREATE"); *f.S != 7 {
		t.Fatalf("live after resume: s = %d", *f.S)
	}
	if n := connectedSessions(s); n != 1 {
		t.Fatalf("%d connected sessions after resume", n)
	}
}

func TestResumeRefused(t *testing.T) {
	s := start(t, Options{})
	c, r, _ := connect(t, s, allIntents, nil)
	c.expectDispatch("GUILD_CREATE")
	tests := []struct {
		name, session string
		seq           int64
	}{
		{"unknown session", "nope", 0},
		{"seq from the future", r.SessionID, 99},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c2 := dial(t, s.GatewayURL()+"/resume")
			c2.hello()
			c2.send(map[string]any{"op": 6, "d": map[string]any{"token": s.Token(), "session_id": tt.session, "seq": tt.seq}})
			if f := c2.expectOp(opInvalidSession); string(f.D) != "false" {
				t.Fatalf("op 9 d = %s", f.D)
			}
		})
	}
}

func TestInvalidSessionAfterClientClose1000(t *testing.T) {
	for _, code := range []int{websocket.CloseNormalClosure, websocket.CloseGoingAway} {
		t.Run(itoa(code), func(t *testing.T) {
			s := start(t, Options{})
			c, r, _ := connect(t, s, allIntents, nil)
			c.expectDispatch("GUILD_CREATE")
			_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, "bye"), time.Now().Add(time.Second))
			c.expectClose(code) // the server echoes the close
			waitFor(t, "the session to end", func() bool { return len(s.Sessions()) == 0 })
			c2 := dial(t, r.ResumeURL)
			c2.hello()
			c2.send(map[string]any{"op": 6, "d": map[string]any{"token": s.Token(), "session_id": r.SessionID, "seq": 2}})
			if f := c2.expectOp(opInvalidSession); string(f.D) != "false" {
				t.Fatalf("op 9 d = %s", f.D)
			}
			// A fresh identify on the same socket works.
			c2.send(identifyPayload(s.Token(), allIntents, nil))
			c2.expectDispatch("READY")
		})
	}
}

func TestZlibStream(t *testing.T) {
	s := start(t, Options{})
	c := dial(t, s.GatewayURL()+"/?v=10&encoding=json&compress=zlib-stream")
	if iv := c.hello(); iv != 100 {
		t.Fatalf("hello through zlib-stream: interval %d", iv)
	}
	c.send(identifyPayload(s.Token(), allIntents, nil))
	c.expectDispatch("READY")
	c.expectDispatch("GUILD_CREATE")
	for i := range 20 {
		if _, err := s.InjectMessage(s.ChannelID("general"), strings.Repeat("zlib ", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		f := c.expectDispatch("MESSAGE_CREATE")
		if got := unmarshal[Message](t, f.D).Content; got != strings.Repeat("zlib ", i+1) {
			t.Fatalf("message %d decoded as %q", i, got)
		}
	}
	if c.frames < 23 || c.badSuffix != 0 {
		t.Fatalf("%d frames, %d not binary or not ending in 00 00 ff ff", c.frames, c.badSuffix)
	}
}

func TestShardsGetTheirOwnGuilds(t *testing.T) {
	s := start(t, Options{Shards: 2, Guilds: 3})
	gids := s.GuildIDs()
	if len(gids) != 3 {
		t.Fatalf("GuildIDs = %v", gids)
	}
	for i, id := range gids {
		if shardFor(id, 2) != i%2 || shardFor(id, 3) != i%3 {
			t.Fatalf("guild %d (%s) lands on shard %d of 2", i, id, shardFor(id, 2))
		}
	}
	c0, r0, _ := connect(t, s, allIntents, []int{0, 2})
	c1, r1, _ := connect(t, s, allIntents, []int{1, 2})
	if len(r0.Guilds) != 2 || r0.Guilds[0].ID != gids[0] || r0.Guilds[1].ID != gids[2] || r0.Shard != [2]int{0, 2} {
		t.Fatalf("shard 0 READY guilds %+v", r0.Guilds)
	}
	if len(r1.Guilds) != 1 || r1.Guilds[0].ID != gids[1] || r1.Shard != [2]int{1, 2} {
		t.Fatalf("shard 1 READY guilds %+v", r1.Guilds)
	}
	c0.expectDispatch("GUILD_CREATE")
	c0.expectDispatch("GUILD_CREATE")
	if g := unmarshal[Guild](t, c1.expectDispatch("GUILD_CREATE").D); g.ID != gids[1] {
		t.Fatalf("shard 1 GUILD_CREATE %s", g.ID)
	}
	// A message in guild 2 reaches shard 1 only; a DM reaches shard 0 only.
	if _, err := s.InjectMessage(s.ChannelIn(gids[1], "general"), "to shard 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.InjectMessage(s.DMChannelID(), "to shard 0"); err != nil {
		t.Fatal(err)
	}
	if m := unmarshal[Message](t, c1.expectDispatch("MESSAGE_CREATE").D); m.Content != "to shard 1" {
		t.Fatalf("shard 1 got %q", m.Content)
	}
	if m := unmarshal[Message](t, c0.expectDispatch("MESSAGE_CREATE").D); m.Content != "to shard 0" {
		t.Fatalf("shard 0 got %q", m.Content)
	}
	if err := s.WaitSessions(ctxTimeout(t), 2); err != nil {
		t.Fatal(err)
	}
}

func TestPresenceAndRequestMembers(t *testing.T) {
	s := start(t, Options{})
	out, stop := s.Subscribe()
	defer stop()
	c, _, _ := connect(t, s, allIntents, nil)
	c.expectDispatch("GUILD_CREATE")
	c.send(map[string]any{"op": 3, "d": map[string]any{"since": nil, "activities": []any{}, "status": "dnd", "afk": false}})
	if o := nextOutput(t, out, OutPresence); o.Status != "dnd" || !strings.Contains(o.String(), "presence dnd") {
		t.Fatalf("presence output %+v", o)
	}
	if si := s.Sessions(); len(si) != 1 || !strings.Contains(string(si[0].Presence), `"dnd"`) {
		t.Fatalf("session presence %+v", si)
	}
	c.send(map[string]any{"op": 8, "d": map[string]any{"guild_id": s.GuildID(), "query": "", "limit": 0, "nonce": "n1"}})
	f := c.expectDispatch("GUILD_MEMBERS_CHUNK")
	chunk := unmarshal[struct {
		GuildID string   `json:"guild_id"`
		Members []Member `json:"members"`
		Nonce   string   `json:"nonce"`
	}](t, f.D)
	if chunk.GuildID != s.GuildID() || len(chunk.Members) != 2 || chunk.Nonce != "n1" {
		t.Fatalf("GUILD_MEMBERS_CHUNK %s", f.D)
	}
}

func TestGatewayRateLimit4008(t *testing.T) {
	s := start(t, Options{})
	c, _, _ := connect(t, s, allIntents, nil)
	for range 121 {
		if err := c.ws.WriteMessage(websocket.TextMessage, []byte(`{"op":1,"d":null}`)); err != nil {
			break // the server may already have hung up
		}
	}
	c.expectClose(4008)
}

// TestGatewayFrames checks the exact wire form of a few server frames: the
// envelope in the order Discord's gateway writes it, t, s, op and d last,
// which clients may rely on to find d without walking it.
func TestGatewayFrames(t *testing.T) {
	s := start(t, Options{})
	ws, _, err := websocket.DefaultDialer.Dial(s.GatewayURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_, hello, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	if string(hello) != `{"t":null,"s":null,"op":10,"d":{"heartbeat_interval":100}}` {
		t.Fatalf("hello = %s", hello)
	}
	_ = ws.WriteMessage(websocket.TextMessage, []byte(`{"op":1,"d":null}`))
	_, ack, err := ws.ReadMessage()
	if err != nil || string(ack) != `{"t":null,"s":null,"op":11,"d":null}` {
		t.Fatalf("ack = %s, %v", ack, err)
	}
	var f map[string]json.RawMessage
	_ = ws.WriteMessage(websocket.TextMessage, mustJSON(identifyPayload(s.Token(), 1, nil)))
	_, ready, _ := ws.ReadMessage()
	if err := json.Unmarshal(ready, &f); err != nil || string(f["op"]) != "0" || string(f["s"]) != "1" || string(f["t"]) != `"READY"` ||
		!bytes.HasPrefix(ready, []byte(`{"t":"READY","s":1,"op":0,"d":{`)) {
		t.Fatalf("READY frame = %s", ready)
	}
}

func TestSessionsSortedByShard(t *testing.T) {
	s := start(t, Options{Shards: 3, Guilds: 3})
	for _, shard := range []int{2, 0, 1} {
		connect(t, s, 1, []int{shard, 3})
	}
	si := s.Sessions()
	if len(si) != 3 {
		t.Fatalf("Sessions = %+v", si)
	}
	for i, x := range si {
		if x.Shard != [2]int{i, 3} || !x.Connected || x.Seq != 2 { // READY + GUILD_CREATE
			t.Fatalf("Sessions[%d] = %+v", i, x)
		}
	}
}

// TestConcurrentEventsStayInSequence has REST calls and injections race
// while two sessions listen: each session must see every message once, with
// sequence numbers that grow by exactly one.
func TestConcurrentEventsStayInSequence(t *testing.T) {
	s := start(t, Options{})
	c1, _, _ := connect(t, s, allIntents, nil)
	c2, _, _ := connect(t, s, allIntents, nil)
	c1.expectDispatch("GUILD_CREATE")
	c2.expectDispatch("GUILD_CREATE")
	const workers, each = 4, 10
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := range each {
				if w%2 == 0 {
					if _, err := s.InjectMessage(s.ChannelID("general"), "inject"); err != nil {
						errs <- err
						return
					}
					continue
				}
				req, _ := http.NewRequest("POST", s.APIBase()+"/channels/"+s.ChannelID("welcome")+"/messages", strings.NewReader(`{"content":"rest `+itoa(i)+`"}`))
				req.Header.Set("Authorization", "Bot "+s.Token())
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- fmt.Errorf("status %d", resp.StatusCode)
					return
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []*client{c1, c2} {
		seen := map[string]bool{}
		last := int64(2)
		for range workers * each {
			f := c.expectDispatch("MESSAGE_CREATE")
			if *f.S != last+1 {
				t.Fatalf("seq %d after %d", *f.S, last)
			}
			last = *f.S
			id := unmarshal[Message](t, f.D).ID
			if seen[id] {
				t.Fatalf("message %s twice", id)
			}
			seen[id] = true
		}
	}
}

func TestResumeAfterIdentifyIs4005(t *testing.T) {
	s := start(t, Options{})
	c, r, _ := connect(t, s, allIntents, nil)
	c.send(map[string]any{"op": 6, "d": map[string]any{"token": s.Token(), "session_id": r.SessionID, "seq": 1}})
	c.expectClose(4005)
}

func TestLogsNeverShowTheToken(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	s := start(t, Options{Token: "s3cret-token", Logger: slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	c := dial(t, s.GatewayURL())
	c.hello()
	c.send([]byte(`{"op":2,"d":{"token":"s3cret-token","intents":1,}}`)) // undecodable
	c.expectClose(4002)
	_ = s.Close()
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(logs.String(), "s3cret") || !strings.Contains(logs.String(), "undecodable") {
		t.Fatalf("logs:\n%s", logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex // guards w
	w  *strings.Builder
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
