package uncord

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	emu "github.com/botrun/botrun/host/emulator/uncord"
)

func TestEnvelopeUnwrappedAndErrorsTyped(t *testing.T) {
	s := startEmu(t, emu.Options{})
	cl, _ := newClient(t, s, nil)
	ctx := ctxT(t)

	raw, err := cl.Request(ctx, "GET", "/users/@me", nil)
	if err != nil {
		t.Fatal(err)
	}
	var me struct{ ID, Username string }
	if err := json.Unmarshal(raw, &me); err != nil || me.ID != s.BotUser().ID {
		t.Fatalf("GET /users/@me = %s (%v): want the unwrapped user", raw, err)
	}

	gen := s.ChannelID("general")
	m, _ := s.InjectMessage(gen, "not yours")
	cases := []struct {
		name, method, path string
		status             int
		code               string
	}{
		{"edit someone else's", "PATCH", "/messages/" + m.ID, 403, "MISSING_PERMISSIONS"},
		{"unknown channel", "GET", "/channels/00000000-0000-4000-8000-000000000000/messages", 404, "UNKNOWN_CHANNEL"},
		{"hidden channel", "GET", "/channels/" + s.ChannelID("staff") + "/messages", 403, "MISSING_PERMISSIONS"},
		{"no route", "GET", "/nope", 404, "NOT_FOUND"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.method == "PATCH" {
				body = map[string]string{"content": "x"}
			}
			_, err := cl.Request(ctx, tc.method, tc.path, body)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want *Error, got %T %v", err, err)
			}
			if e.Status != tc.status || e.Code != tc.code || e.Message == "" {
				t.Fatalf("got %d %q %q, want %d %q", e.Status, e.Code, e.Message, tc.status, tc.code)
			}
			var rawErr struct{ Code string }
			if json.Unmarshal(e.Raw, &rawErr) != nil || rawErr.Code != tc.code {
				t.Fatalf("Raw = %s", e.Raw)
			}
			if !strings.Contains(e.ScriptMessage(), tc.code) {
				t.Fatalf("ScriptMessage %q lacks the code", e.ScriptMessage())
			}
		})
	}
}

func TestExpiredTokenRefreshedAndRetriedOnce(t *testing.T) {
	s := startEmu(t, emu.Options{})
	cl, _ := newClient(t, s, nil)
	ctx := ctxT(t)
	if _, err := cl.Request(ctx, "GET", "/users/@me", nil); err != nil {
		t.Fatal(err)
	}
	s.ExpireTokens()
	if _, err := cl.Request(ctx, "GET", "/users/@me", nil); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	var statuses []int
	for _, r := range s.Requests() {
		if r.Path == "/api/v1/users/@me" {
			statuses = append(statuses, r.Status)
		}
	}
	if len(statuses) != 3 || statuses[1] != 401 || statuses[2] != 200 {
		t.Fatalf("statuses %v, want [200 401 200]", statuses)
	}
	if _, refreshes, reuses := s.AuthStats(); refreshes != 1 || reuses != 0 {
		t.Fatalf("refreshes=%d reuses=%d", refreshes, reuses)
	}
}

func TestRateLimits(t *testing.T) {
	t.Run("429 Retry-After is waited out", func(t *testing.T) {
		c := newClock()
		s := startEmu(t, emu.Options{Now: c.Now, MessageLimit: emu.RateLimit{Limit: 1, Window: 3 * time.Second}})
		cl, _ := newClient(t, s, c)
		cl.cfg.MessageLimit = 100 // let the server's limit bite
		ctx := ctxT(t)
		gen := s.ChannelID("general")
		for i := range 2 {
			if _, err := cl.SendMessage(ctx, gen, map[string]any{"content": "hi"}, ""); err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
		}
		if got := c.Slept(); len(got) != 1 || got[0] != 3*time.Second {
			t.Fatalf("slept %v, want [3s] from Retry-After", got)
		}
		if n := s.CountRequests("POST", "/api/v1/channels/"+gen+"/messages"); n != 3 {
			t.Fatalf("%d POSTs, want 3 (one 429)", n)
		}
	})
	t.Run("per-channel message limit kept locally", func(t *testing.T) {
		c := newClock()
		s := startEmu(t, emu.Options{Now: c.Now})
		cl, _ := newClient(t, s, c)
		ctx := ctxT(t)
		gen, wel := s.ChannelID("general"), s.ChannelID("welcome")
		for i := range 6 {
			if _, err := cl.SendMessage(ctx, gen, map[string]any{"content": "x"}, ""); err != nil {
				t.Fatal(i, err)
			}
		}
		if _, err := cl.SendMessage(ctx, wel, map[string]any{"content": "other channel"}, ""); err != nil {
			t.Fatal(err)
		}
		if got := c.Slept(); len(got) != 1 || got[0] != 5*time.Second {
			t.Fatalf("slept %v, want one 5s wait before the 6th message", got)
		}
		for _, r := range s.Requests() {
			if r.Status == 429 {
				t.Fatal("server had to answer 429")
			}
		}
	})
	t.Run("global budget from X-Ratelimit headers", func(t *testing.T) {
		c := newClock()
		s := startEmu(t, emu.Options{Now: c.Now, GlobalLimit: emu.RateLimit{Limit: 3, Window: 10 * time.Second}})
		cl, a := newClient(t, s, c)
		ctx := ctxT(t)
		if _, err := a.Token(ctx); err != nil { // login: 1 of 3
			t.Fatal(err)
		}
		for i := range 3 {
			if _, err := cl.Request(ctx, "GET", "/server", nil); err != nil {
				t.Fatal(i, err)
			}
		}
		if got := c.Slept(); len(got) != 1 || got[0] != 10*time.Second {
			t.Fatalf("slept %v, want one 10s wait when the budget hit 0", got)
		}
		for _, r := range s.Requests() {
			if r.Status == 429 {
				t.Fatal("server had to answer 429")
			}
		}
	})
}

func TestMessagesReactionsAndEmojiEncoding(t *testing.T) {
	s := startEmu(t, emu.Options{})
	cl, _ := newClient(t, s, nil)
	ctx := ctxT(t)
	out, cancel := s.Subscribe()
	defer cancel()
	gen := s.ChannelID("general")
	orig, _ := s.InjectMessage(gen, "hello")

	raw, err := cl.SendMessage(ctx, gen, map[string]any{"content": "hi", "ephemeral": true,
		"embeds": []any{map[string]any{"title": "T", "description": "D"}}}, orig.ID)
	if err != nil {
		t.Fatal(err)
	}
	var sent struct {
		ID        string
		Content   string
		ReplyToID string `json:"reply_to_id"`
	}
	json.Unmarshal(raw, &sent)
	if sent.ReplyToID != orig.ID || sent.Content != "hi\n**T**\nD" {
		t.Fatalf("sent %+v", sent)
	}
	if o := next(t, out); o.Kind != emu.OutMessage || o.ReplyTo != orig.ID || o.ReplyToAuthor != "tester" {
		t.Fatalf("output %+v", o)
	}
	if _, err := cl.EditMessage(ctx, gen, sent.ID, map[string]any{"content": "edited"}); err != nil {
		t.Fatal(err)
	}
	if o := next(t, out); o.Kind != emu.OutEdit || o.Content != "edited" {
		t.Fatalf("output %+v", o)
	}
	if _, err := cl.SendMessage(ctx, gen, map[string]any{"embeds": []any{}}, ""); err == nil {
		t.Fatal("empty message accepted")
	}

	for _, tc := range []struct{ emoji, wire string }{
		{"👍", "%F0%9F%91%8D"},
		{"❤️", "%E2%9D%A4%EF%B8%8F"},
		{"custom:0b7c9d2e-1f3a-4b5c-8d6e-7f8091a2b3c4", "custom:0b7c9d2e-1f3a-4b5c-8d6e-7f8091a2b3c4"},
		{"<:party:0B7C9D2E-1F3A-4B5C-8D6E-7F8091A2B3C4>", "custom:0b7c9d2e-1f3a-4b5c-8d6e-7f8091a2b3c4"},
	} {
		if tc.emoji[0] == '<' {
			continue // same reaction as the previous case: the server says 409
		}
		if err := cl.AddReaction(ctx, gen, orig.ID, tc.emoji); err != nil {
			t.Fatalf("%s: %v", tc.emoji, err)
		}
		o := next(t, out)
		if o.Kind != emu.OutReactionAdd || o.Emoji != tc.wire {
			t.Fatalf("%s: output %+v, want wire %q", tc.emoji, o, tc.wire)
		}
		if got, _ := EncodeEmoji(tc.emoji); got != tc.wire {
			t.Fatalf("EncodeEmoji(%q) = %q", tc.emoji, got)
		}
	}
	if got, _ := EncodeEmoji("<:party:0B7C9D2E-1F3A-4B5C-8D6E-7F8091A2B3C4>"); got != "custom:0b7c9d2e-1f3a-4b5c-8d6e-7f8091a2b3c4" {
		t.Fatalf("Discord-style custom emoji: %q", got)
	}
	err = cl.AddReaction(ctx, gen, orig.ID, "👍")
	var e *Error
	if !errors.As(err, &e) || e.Code != "ALREADY_REACTED" {
		t.Fatalf("second reaction: %v", err)
	}
	if err := cl.DeleteMessage(ctx, gen, sent.ID); err != nil {
		t.Fatal(err)
	}
	if o := next(t, out); o.Kind != emu.OutDelete || o.MessageID != sent.ID {
		t.Fatalf("output %+v", o)
	}
}

func TestNormalize(t *testing.T) {
	self := "6654d65f-2d32-4b26-ad63-7113db4e2763"
	cases := []struct{ name, event, in, want string }{
		{"reaction decoded", "REACTION_ADD", `{"emoji_unicode":"%F0%9F%91%8D","emoji_id":null}`, `{"emoji_id":null,"emoji_unicode":"👍"}`},
		{"lower-case hex decoded too", "REACTION_REMOVE", `{"emoji_unicode":"%f0%9f%91%8d"}`, `{"emoji_unicode":"👍"}`},
		{"custom untouched", "REACTION_ADD", `{"emoji_id":"x","emoji_unicode":null}`, `{"emoji_id":"x","emoji_unicode":null}`},
		{"bad encoding kept", "REACTION_ADD", `{"emoji_unicode":"%ZZ"}`, `{"emoji_unicode":"%ZZ"}`},
		{"own message marked", "MESSAGE_CREATE", `{"author":{"id":"` + self + `"},"n":12345678901234567890}`, `{"author":{"bot":true,"id":"` + self + `"},"n":12345678901234567890}`},
		{"other message untouched", "MESSAGE_CREATE", `{"author":{"id":"x"},"content":"` + self + `"}`, `{"author":{"id":"x"},"content":"` + self + `"}`},
		{"inline reactions decoded", "MESSAGE_UPDATE", `{"author":{"id":"x"},"reactions":[{"emoji_unicode":"%F0%9F%91%8D"}]}`, `{"author":{"id":"x"},"reactions":[{"emoji_unicode":"👍"}]}`},
		{"garbage kept", "MESSAGE_CREATE", `[` + self, `[` + self},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(Normalize(tc.event, json.RawMessage(tc.in), self)); got != tc.want {
				t.Fatalf("got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestAliases(t *testing.T) {
	for _, tc := range []struct {
		name string
		want string
	}{
		{"MEMBER_ADD", "GUILD_MEMBER_ADD"}, {"GUILD_MEMBER_ADD", "MEMBER_ADD"},
		{"REACTION_ADD", "MESSAGE_REACTION_ADD"}, {"ROLE_CREATE", "GUILD_ROLE_CREATE"},
		{"SERVER_UPDATE", "GUILD_UPDATE"}, {"MESSAGE_CREATE", ""}, {"TYPING_STOP", ""},
	} {
		got := Aliases(tc.name)
		if (tc.want == "" && got != nil) || (tc.want != "" && (len(got) != 1 || got[0] != tc.want)) {
			t.Errorf("Aliases(%s) = %v, want %q", tc.name, got, tc.want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	f.Add("REACTION_ADD", `{"emoji_unicode":"%F0%9F%91%8D"}`)
	f.Add("MESSAGE_CREATE", `{"author":{"id":"me"},"reactions":[{"emoji_unicode":"%E2%9D%A4"}]}`)
	f.Fuzz(func(t *testing.T, event, data string) {
		out := Normalize(event, json.RawMessage(data), "me")
		if json.Valid([]byte(data)) && !json.Valid(out) {
			t.Fatalf("valid input became invalid: %s", out)
		}
	})
}

func FuzzEmojiRoundTrip(f *testing.F) {
	for _, s := range []string{"👍", "❤️", "a b", "%41", "custom:x", "🏳️‍🌈"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, emoji string) {
		seg, err := EncodeEmoji(emoji)
		if err != nil || strings.HasPrefix(seg, "custom:") {
			return
		}
		if strings.ContainsAny(seg, "/?#% ") && !strings.Contains(seg, "%") {
			t.Fatalf("unsafe path segment %q", seg)
		}
		if got := DecodeEmoji(seg); got != strings.TrimSpace(emoji) {
			t.Fatalf("round trip %q → %q → %q", emoji, seg, got)
		}
	})
}

func FuzzParseError(f *testing.F) {
	f.Add([]byte(`{"error":{"code":"RATE_LIMITED","message":"Too many requests."}}`))
	f.Add([]byte(`{"error":"x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		code, msg := parseError(body)
		if !json.Valid(body) && (code != "" || msg != "") {
			t.Fatalf("invalid JSON produced %q %q", code, msg)
		}
	})
}
