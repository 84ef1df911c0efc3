package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestIdentifyReadyHeartbeat(t *testing.T) {
	for _, compress := range []bool{true, false} {
		t.Run(fmt.Sprintf("compress=%v", compress), func(t *testing.T) {
			gw := newFakeGW(t)
			h := start(t, gw, func(c *Config) { c.DisableCompression = !compress; c.Presence = map[string]any{"status": "idle"} })
			c := gw.accept()
			if c.query.Get("v") != "10" || c.query.Get("encoding") != "json" || (c.query.Get("compress") == "zlib-stream") != compress {
				t.Fatalf("query = %v", c.query)
			}
			helloAt := time.Now()
			id := c.identifyAndReady(200, "sess-1")
			if id["token"] != testToken || id["intents"].(float64) != float64(IntentGuilds|IntentGuildMessages) ||
				fmt.Sprint(id["shard"]) != "[0 1]" || id["large_threshold"].(float64) != 50 || id["compress"] != false {
				t.Fatalf("identify = %v", id)
			}
			if p := id["properties"].(map[string]any); p["browser"] != "botrun" || p["os"] == "" {
				t.Errorf("properties = %v", p)
			}
			if fmt.Sprint(id["presence"]) != "map[status:idle]" {
				t.Errorf("presence = %v", id["presence"])
			}
			r := h.expectEvent("READY")
			if r.Seq != 1 || r.Shard != 0 || !strings.Contains(string(r.Data), "sess-1") {
				t.Errorf("READY = %+v", r)
			}
			c.dispatch("MESSAGE_CREATE", 2, map[string]any{"content": "!ping"})
			m := h.expectEvent("MESSAGE_CREATE")
			if m.Seq != 2 || string(m.Data) != `{"content":"!ping"}` {
				t.Errorf("dispatch = %+v %s", m, m.Data)
			}
			// first beat after interval × rand (0.5 → 100 ms), carrying the last seq
			b := c.expectBeat()
			if el := time.Since(helloAt); el < 90*time.Millisecond {
				t.Errorf("first heartbeat after %v, want about 100 ms", el)
			}
			if string(b.D) != "2" && string(b.D) != "1" {
				t.Errorf("heartbeat d = %s", b.D)
			}
			b = c.expectBeat()
			if string(b.D) != "2" {
				t.Errorf("second heartbeat d = %s", b.D)
			}
			if h.m.Latency() <= 0 || !h.m.Status()[0].Connected || h.m.Status()[0].Seq != 2 {
				t.Errorf("status %+v latency %v", h.m.Status(), h.m.Latency())
			}
		})
	}
}

func TestServerRequestedHeartbeat(t *testing.T) {
	gw := newFakeGW(t)
	h := start(t, gw, nil)
	c := gw.accept()
	c.identifyAndReady(60_000, "s") // first beat would be 30 s away
	h.expectEvent("READY")
	c.send(map[string]any{"op": opHeartbeat})
	if b := c.expectBeat(); string(b.D) != "1" {
		t.Errorf("heartbeat d = %s", b.D)
	}
}

// TestZombieResumeReplaysExactlyOnce: no ACK → close with a non-1000 code,
// resume on resume_gateway_url with the session and last seq; replayed
// events already seen are dropped, the rest delivered once in order.
func TestZombieResumeReplaysExactlyOnce(t *testing.T) {
	gw := newFakeGW(t)
	h := start(t, gw, nil)
	c := gw.accept()
	c.noAck.Store(true)
	c.identifyAndReady(100, "sess-z")
	h.expectEvent("READY")
	c.dispatch("MESSAGE_CREATE", 2, map[string]any{"n": 2})
	h.expectEvent("MESSAGE_CREATE")
	c.expectBeat()
	if code := c.expectClose(); code == 1000 || code == 1001 || code == -1 {
		t.Fatalf("zombie close code %d must keep the session", code)
	}
	rc := h.expectEvent("RECONNECTING")
	if !strings.Contains(string(rc.Data), "zombie") || !strings.Contains(string(rc.Data), `"resume":true`) {
		t.Errorf("RECONNECTING data = %s", rc.Data)
	}
	c2 := gw.accept()
	if c2.path != "/resume" || c2.query.Get("v") != "10" {
		t.Fatalf("resumed on %s?%v, want /resume with the same query", c2.path, c2.query)
	}
	c2.hello(60_000)
	f := c2.expect(opResume)
	var raw map[string]any
	json.Unmarshal(f.D, &raw)
	if raw["token"] != testToken || raw["session_id"] != "sess-z" || raw["seq"].(float64) != 2 {
		t.Fatalf("resume = %s", f.D)
	}
	for _, s := range []int64{2, 3, 4} { // 2 is a replay of what was already delivered
		c2.dispatch("MESSAGE_CREATE", s, map[string]any{"n": s})
	}
	c2.dispatch("RESUMED", 5, map[string]any{})
	c2.dispatch("MESSAGE_CREATE", 4, map[string]any{"n": 4}) // duplicate after RESUMED
	c2.dispatch("MESSAGE_CREATE", 6, map[string]any{"n": 6})
	var got []string
	for range 4 {
		d := h.next()
		got = append(got, fmt.Sprintf("%s:%d", d.Name, d.Seq))
	}
	if want := "MESSAGE_CREATE:3 MESSAGE_CREATE:4 RESUMED:5 MESSAGE_CREATE:6"; strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
}

func TestReconnectOpcodeResumes(t *testing.T) {
	gw := newFakeGW(t)
	h := start(t, gw, nil)
	c := gw.accept()
	c.identifyAndReady(60_000, "s7")
	h.expectEvent("READY")
	c.send(map[string]any{"op": opReconnect, "d": nil})
	if code := c.expectClose(); code == 1000 || code == 1001 {
		t.Fatalf("op 7 closed with %d, which ends the session", code)
	}
	h.expectEvent("RECONNECTING")
	c2 := gw.accept()
	c2.hello(60_000)
	c2.expect(opResume)
	if c2.path != "/resume" {
		t.Errorf("resume path %q", c2.path)
	}
}

func TestInvalidSession(t *testing.T) {
	t.Run("resumable", func(t *testing.T) {
		gw := newFakeGW(t)
		h := start(t, gw, nil)
		c := gw.accept()
		c.identifyAndReady(60_000, "s9")
		h.expectEvent("READY")
		c.send(map[string]any{"op": opInvalidSession, "d": true})
		c.expectClose()
		c2 := gw.accept()
		c2.hello(60_000)
		c2.expect(opResume)
	})
	t.Run("not resumable", func(t *testing.T) {
		gw := newFakeGW(t)
		h := start(t, gw, nil)
		c := gw.accept()
		c.identifyAndReady(60_000, "s9")
		h.expectEvent("READY")
		c.dispatch("MESSAGE_CREATE", 2, map[string]any{})
		h.expectEvent("MESSAGE_CREATE")
		c.send(map[string]any{"op": opInvalidSession, "d": false})
		at := time.Now()
		c.expectClose()
		rc := h.expectEvent("RECONNECTING")
		if !strings.Contains(string(rc.Data), `"resume":false`) {
			t.Errorf("RECONNECTING = %s", rc.Data)
		}
		c2 := gw.accept()
		if el := time.Since(at); el < 20*time.Millisecond {
			t.Errorf("re-identified after %v, want the invalid-session wait first", el)
		}
		if c2.path != "/" {
			t.Errorf("fresh identify must use the base URL, got path %q", c2.path)
		}
		c2.identifyAndReady(60_000, "s10")
		r := h.expectEvent("READY")
		// seq restarts with the new session: seq 1 is delivered again
		if r.Seq != 1 {
			t.Errorf("READY seq %d", r.Seq)
		}
	})
}

func TestFatalCloseCodes(t *testing.T) {
	tests := []struct {
		code int
		want []string
	}{
		{4004, []string{"token is invalid", "DISCORD_TOKEN", "Developer Portal"}},
		{4010, []string{"invalid shard"}},
		{4011, []string{"sharding required"}},
		{4012, []string{"API version"}},
		{4013, []string{"invalid intents"}},
		{4014, []string{"GUILD_MEMBERS, MESSAGE_CONTENT", "Privileged Gateway Intents", "intents = [...]", "botrun.toml"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			gw := newFakeGW(t)
			h := start(t, gw, func(c *Config) { c.Intents = IntentGuilds | IntentGuildMembers | IntentMessageContent })
			c := gw.accept()
			c.hello(60_000)
			c.expect(opIdentify)
			c.closeWith(tt.code, "nope")
			err := h.runErr()
			var fe *FatalError
			if !errors.As(err, &fe) || fe.Code != tt.code {
				t.Fatalf("Run = %v, want *FatalError %d", err, tt.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not mention %q", err.Error(), w)
				}
			}
			if strings.Contains(err.Error(), "fake-token") {
				t.Error("token in error")
			}
		})
	}
}

func TestReconnectableCloseCodes(t *testing.T) {
	tests := []struct {
		code     int
		identify bool
	}{
		{4000, false}, {4001, false}, {4002, false}, {4003, false}, {4005, false}, {4008, false},
		{4007, true}, {4009, true}, {1000, false}, {4999, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			gw := newFakeGW(t)
			h := start(t, gw, nil)
			c := gw.accept()
			c.identifyAndReady(60_000, "sc")
			h.expectEvent("READY")
			c.closeWith(tt.code, "bye")
			h.expectEvent("RECONNECTING")
			c2 := gw.accept()
			c2.hello(60_000)
			if tt.identify {
				c2.expect(opIdentify)
			} else {
				c2.expect(opResume)
			}
		})
	}
}

func TestDropWithoutCloseFrameResumes(t *testing.T) {
	gw := newFakeGW(t)
	h := start(t, gw, nil)
	c := gw.accept()
	c.identifyAndReady(60_000, "sd")
	h.expectEvent("READY")
	c.drop()
	h.expectEvent("RECONNECTING")
	c2 := gw.accept()
	c2.hello(60_000)
	c2.expect(opResume)
}

// TestBackoffGrows: connections that fail before a session is established
// are retried with growing delays.
func TestBackoffGrows(t *testing.T) {
	gw := newFakeGW(t)
	start(t, gw, func(c *Config) { c.BackoffMin = 40 * time.Millisecond; c.BackoffMax = 400 * time.Millisecond })
	var at []time.Time
	for range 4 {
		c := gw.accept()
		at = append(at, time.Now())
		c.closeWith(4000, "flaky")
	}
	gaps := []time.Duration{at[1].Sub(at[0]), at[2].Sub(at[1]), at[3].Sub(at[2])}
	// with rand 0.5: 10 ms, then 30 ms, 60 ms (lower bounds only: a
	// loaded machine can only make gaps longer)
	if gaps[1] < 28*time.Millisecond || gaps[2] < 58*time.Millisecond {
		t.Errorf("backoff did not grow: %v", gaps)
	}
}

func TestMalformedFramesSurvive(t *testing.T) {
	gw := newFakeGW(t)
	h := start(t, gw, func(c *Config) { c.DisableCompression = true })
	c := gw.accept()
	c.identifyAndReady(60_000, "sm")
	h.expectEvent("READY")
	c.sendRaw([]byte(`{not json`))
	c.sendRaw([]byte(`[1,2,3]`))
	c.send(map[string]any{"op": 99, "d": "??"})
	c.dispatch("SOMETHING_NEW", 2, map[string]any{"x": 1})
	c.dispatch("MESSAGE_CREATE", 3, map[string]any{})
	if d := h.expectEvent("SOMETHING_NEW"); d.Seq != 2 {
		t.Errorf("unknown event seq %d", d.Seq)
	}
	h.expectEvent("MESSAGE_CREATE")
}

func TestShutdownClosesWith1000AndLeaksNothing(t *testing.T) {
	base := runtime.NumGoroutine()
	gw := newFakeGW(t)
	h := start(t, gw, nil)
	c := gw.accept()
	c.identifyAndReady(50, "sx")
	h.expectEvent("READY")
	c.expectBeat()
	h.cancel()
	if code := c.expectClose(); code != 1000 {
		t.Errorf("shutdown close code %d, want 1000", code)
	}
	if err := h.runErr(); err != nil {
		t.Errorf("Run after cancel = %v", err)
	}
	gw.srv.CloseClientConnections()
	// the fake server's own goroutines end with its connections; allow a
	// few for the httptest server itself
	waitGoroutines(t, base+4)
}

func TestSetIntentsGrowReidentifies(t *testing.T) {
	gw := newFakeGW(t)
	h := start(t, gw, nil)
	c := gw.accept()
	c.identifyAndReady(60_000, "si")
	h.expectEvent("READY")
	h.m.SetIntents(IntentGuilds) // shrinking: nothing happens now
	h.m.SetIntents(IntentGuilds | IntentGuildMessages | IntentGuildMessageReactions)
	if code := c.expectClose(); code != 1000 {
		t.Errorf("re-identify should end the old session with 1000, got %d", code)
	}
	c2 := gw.accept()
	id := c2.identifyAndReady(60_000, "si2")
	if id["intents"].(float64) != float64(IntentGuilds|IntentGuildMessages|IntentGuildMessageReactions) {
		t.Errorf("new identify intents %v", id["intents"])
	}
	h.expectEvent("RECONNECTING")
	h.expectEvent("READY")
}

func TestUpdatePresence(t *testing.T) {
	gw := newFakeGW(t)
	h := start(t, gw, nil)
	c := gw.accept()
	c.identifyAndReady(60_000, "sp")
	h.expectEvent("READY")
	p := map[string]any{"status": "dnd", "activities": []any{}, "since": nil, "afk": false}
	if err := h.m.UpdatePresence(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	f := c.expect(opPresenceUpdate)
	if !strings.Contains(string(f.D), `"dnd"`) {
		t.Errorf("presence = %s", f.D)
	}
	err := h.m.UpdatePresence(t.Context(), map[string]any{"status": strings.Repeat("x", 5000)})
	if !errors.Is(err, ErrPayloadTooLarge) {
		t.Errorf("oversized presence: %v", err)
	}
}

func TestShardingAndIdentifyConcurrency(t *testing.T) {
	for _, mc := range []int{1, 2} {
		t.Run(fmt.Sprintf("max_concurrency=%d", mc), func(t *testing.T) {
			gw := newFakeGW(t)
			h := start(t, gw, func(c *Config) {
				c.GatewayURL = ""
				c.IdentifyInterval = 400 * time.Millisecond
				c.Bot = func(ctx context.Context) (BotInfo, error) {
					var b BotInfo
					b.URL, b.Shards = gw.url(), 2
					b.SessionStartLimit.Total, b.SessionStartLimit.Remaining, b.SessionStartLimit.ResetAfter = 1000, 1000, 1000
					b.SessionStartLimit.MaxConcurrency = mc
					return b, nil
				}
			})
			var shards []string
			var at []time.Time
			conns := map[int]*fakeConn{}
			for range 2 {
				c := gw.accept()
				c.hello(60_000)
				f := c.expect(opIdentify)
				at = append(at, time.Now())
				var id struct{ Shard [2]int }
				json.Unmarshal(f.D, &id)
				shards = append(shards, fmt.Sprint(id.Shard))
				conns[id.Shard[0]] = c
			}
			if mc == 1 && !(shards[0] == "[0 2]" && shards[1] == "[1 2]") {
				t.Fatalf("identified shards %v, want shard 0 first", shards)
			}
			if !(shards[0] == "[0 2]" && shards[1] == "[1 2]") && !(shards[0] == "[1 2]" && shards[1] == "[0 2]") {
				t.Fatalf("identified shards %v", shards)
			}
			gap := at[1].Sub(at[0])
			if mc == 1 && gap < 390*time.Millisecond {
				t.Errorf("max_concurrency 1: identifies %v apart, want ≥ 400 ms", gap)
			}
			if mc == 2 && gap > 300*time.Millisecond {
				t.Errorf("max_concurrency 2: identifies %v apart, want concurrent", gap)
			}
			conns[1].ready("b")
			d := h.expectEvent("READY")
			if d.Shard != 1 {
				t.Errorf("dispatch shard %d", d.Shard)
			}
		})
	}
}

func TestSessionStartLimitExhaustedWaits(t *testing.T) {
	gw := newFakeGW(t)
	began := time.Now()
	start(t, gw, func(c *Config) {
		c.Bot = func(ctx context.Context) (BotInfo, error) {
			var b BotInfo
			b.Shards = 1
			b.SessionStartLimit.Total, b.SessionStartLimit.Remaining, b.SessionStartLimit.ResetAfter = 1000, 0, 200
			b.SessionStartLimit.MaxConcurrency = 1
			return b, nil
		}
	})
	c := gw.accept()
	if el := time.Since(began); el < 190*time.Millisecond {
		t.Errorf("identified %v after start with no session starts left, want the reset (200 ms) first", el)
	}
	c.hello(60_000)
	c.expect(opIdentify)
}

// TestTokenNeverLogged runs a session through identify, zombie, resume and
// a fatal close with debug logging and looks for the token in every record.
func TestTokenNeverLogged(t *testing.T) {
	var buf syncBuffer
	gw := newFakeGW(t)
	h := start(t, gw, func(c *Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	c := gw.accept()
	c.noAck.Store(true)
	c.identifyAndReady(50, "st")
	h.expectEvent("READY")
	c.expectClose()
	c2 := gw.accept()
	c2.hello(60_000)
	c2.expect(opResume)
	c2.closeWith(4004, "Authentication failed.")
	err := h.runErr()
	if strings.Contains(err.Error(), testToken) {
		t.Error("token in error")
	}
	out := buf.String()
	if !strings.Contains(out, "resuming") || !strings.Contains(out, "identifying") {
		t.Fatalf("expected lifecycle logs, got:\n%s", out)
	}
	if strings.Contains(out, testToken) || strings.Contains(out, "fake-token") {
		t.Fatalf("token in logs:\n%s", out)
	}
}

type syncBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestOversizedMessageSkipped: a message over MaxMessageSize is dropped
// without losing the connection (a resume would only replay it again).
func TestOversizedMessageSkipped(t *testing.T) {
	for _, compress := range []bool{true, false} {
		t.Run(fmt.Sprintf("compress=%v", compress), func(t *testing.T) {
			gw := newFakeGW(t)
			h := start(t, gw, func(c *Config) { c.MaxMessageSize = 2048; c.DisableCompression = !compress })
			c := gw.accept()
			c.identifyAndReady(60_000, "so")
			h.expectEvent("READY")
			c.dispatch("MESSAGE_CREATE", 2, map[string]any{"content": strings.Repeat("x", 4000)})
			c.dispatch("MESSAGE_CREATE", 3, map[string]any{"content": "fits"})
			d := h.expectEvent("MESSAGE_CREATE")
			if d.Seq != 3 || !strings.Contains(string(d.Data), "fits") {
				t.Fatalf("got %+v", d)
			}
			select {
			case code := <-c.closed:
				t.Fatalf("connection closed (%d)", code)
			default:
			}
		})
	}
}

func TestFreshSessionsIdentifiesInsteadOfResuming(t *testing.T) {
	gw := newFakeGW(t)
	h := start(t, gw, func(c *Config) { c.FreshSessions = true })
	c := gw.accept()
	c.identifyAndReady(60_000, "sf")
	h.expectEvent("READY")
	c.drop()
	if d := h.expectEvent("RECONNECTING"); !strings.Contains(string(d.Data), `"resume":false`) {
		t.Errorf("RECONNECTING = %s", d.Data)
	}
	c2 := gw.accept()
	if c2.path != "/" {
		t.Errorf("fresh session dialed %q, want the base URL", c2.path)
	}
	c2.hello(60_000)
	c2.expect(opIdentify)
}
