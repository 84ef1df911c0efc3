package emulator

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRESTAuth(t *testing.T) {
	s := start(t, Options{Token: "secret"})
	tests := []struct {
		name, method, path, auth string
		status                   int
	}{
		{"no header", "GET", "/api/v10/users/@me", "", 401},
		{"wrong token", "GET", "/api/v10/users/@me", "Bot nope", 401},
		{"missing Bot prefix", "GET", "/api/v10/users/@me", "secret", 401},
		{"bot token", "GET", "/api/v10/users/@me", "Bot secret", 200},
		{"v9", "GET", "/api/v9/users/@me", "Bot secret", 200},
		{"unversioned", "GET", "/api/users/@me", "Bot secret", 200},
		{"gateway is public", "GET", "/api/v10/gateway", "", 200},
		{"gateway/bot needs auth", "GET", "/api/v10/gateway/bot", "", 401},
		{"unknown version", "GET", "/api/v8/users/@me", "Bot secret", 404},
		{"unknown route", "GET", "/api/v10/nothing/here", "Bot secret", 404},
		{"wrong method", "PATCH", "/api/v10/gateway/bot", "Bot secret", 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := apiAuth(t, s, tt.method, tt.path, nil, tt.auth)
			wantStatus(t, resp, body, tt.status)
			if tt.status >= 400 {
				e := decodeErr(t, body)
				if e.Code != 0 || e.Message != strconv.Itoa(tt.status)+": "+http.StatusText(tt.status) {
					t.Fatalf("error body %s", body)
				}
			}
		})
	}
	resp, body := api(t, s, "GET", "/api/v10/gateway/bot", nil)
	wantStatus(t, resp, body, 200)
	gb := unmarshal[struct {
		URL    string `json:"url"`
		Shards int    `json:"shards"`
		Limit  struct {
			Total, Remaining, ResetAfter, MaxConcurrency int
		} `json:"session_start_limit"`
	}](t, body)
	if gb.URL != s.GatewayURL() || gb.Shards != 1 {
		t.Fatalf("gateway/bot = %s", body)
	}
}

func TestMessagesCRUD(t *testing.T) {
	s := start(t, Options{})
	out, stop := s.Subscribe()
	defer stop()
	general := s.ChannelID("general")
	path := "/api/v10/channels/" + general + "/messages"

	orig, err := s.InjectMessage(general, "hello bot")
	if err != nil {
		t.Fatal(err)
	}
	resp, body := api(t, s, "POST", path, map[string]any{"content": "pong", "message_reference": map[string]any{"message_id": orig.ID}})
	wantStatus(t, resp, body, 200)
	m := unmarshal[Message](t, body)
	if m.Content != "pong" || m.Author.ID != s.BotUser().ID || m.ChannelID != general || m.Type != 19 || m.ReferencedMessage == nil {
		t.Fatalf("created %s", body)
	}
	o := nextOutput(t, out, OutMessage)
	if o.MessageID != m.ID || o.ChannelName != "general" || o.ReplyTo != orig.ID || o.ReplyToAuthor != "tester" {
		t.Fatalf("output %+v", o)
	}
	if got := o.String(); got != "message #general (reply to tester): pong" {
		t.Fatalf("String() = %q", got)
	}

	resp, body = api(t, s, "PATCH", path+"/"+m.ID, map[string]any{"content": "pong!"})
	wantStatus(t, resp, body, 200)
	if e := unmarshal[Message](t, body); e.Content != "pong!" || e.EditedTimestamp == nil {
		t.Fatalf("edited %s", body)
	}
	if o := nextOutput(t, out, OutEdit); o.Content != "pong!" || o.MessageID != m.ID {
		t.Fatalf("edit output %+v", o)
	}
	resp, body = api(t, s, "GET", path+"/"+m.ID, nil)
	wantStatus(t, resp, body, 200)

	resp, body = api(t, s, "GET", path+"?limit=1", nil)
	wantStatus(t, resp, body, 200)
	if list := unmarshal[[]Message](t, body); len(list) != 1 || list[0].ID != m.ID {
		t.Fatalf("list limit=1: %s", body)
	}
	resp, body = api(t, s, "GET", path+"?after="+orig.ID, nil)
	if list := unmarshal[[]Message](t, body); len(list) != 1 || list[0].ID != m.ID {
		t.Fatalf("list after: %s", body)
	}

	resp, body = api(t, s, "DELETE", path+"/"+m.ID, nil)
	wantStatus(t, resp, body, 204)
	if ct := resp.Header.Get("Content-Type"); ct != "" || len(body) != 0 {
		t.Fatalf("204 with Content-Type %q and body %q", ct, body)
	}
	if o := nextOutput(t, out, OutDelete); o.MessageID != m.ID {
		t.Fatalf("delete output %+v", o)
	}
	resp, body = api(t, s, "GET", path+"/"+m.ID, nil)
	wantStatus(t, resp, body, 404)
	if e := decodeErr(t, body); e.Code != 10008 || e.Message != "Unknown Message" {
		t.Fatalf("deleted message: %s", body)
	}
}

func TestMessageValidation(t *testing.T) {
	s := start(t, Options{})
	general := s.ChannelID("general")
	path := "/api/v10/channels/" + general + "/messages"
	orig, _ := s.InjectMessage(general, "not mine")
	tests := []struct {
		name, method, path string
		body               any
		status, code       int
		field              string // a substring of errors
	}{
		{"empty", "POST", path, map[string]any{"content": ""}, 400, 50006, ""},
		{"no body", "POST", path, nil, 400, 50006, ""},
		{"too long", "POST", path, map[string]any{"content": strings.Repeat("é", 2001)}, 400, 50035, `"content":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH"`},
		{"11 embeds", "POST", path, map[string]any{"embeds": make([]map[string]any, 11)}, 400, 50035, `"embeds"`},
		{"bad json", "POST", path, []byte(`{"content":`), 400, 50109, ""},
		{"unknown reply", "POST", path, map[string]any{"content": "x", "message_reference": map[string]any{"message_id": "1"}}, 400, 50035, "MESSAGE_REFERENCE_UNKNOWN_MESSAGE"},
		{"unknown channel", "POST", "/api/v10/channels/1/messages", map[string]any{"content": "x"}, 404, 10003, ""},
		{"edit someone else's", "PATCH", path + "/" + orig.ID, map[string]any{"content": "x"}, 403, 50005, ""},
		{"unknown message", "GET", path + "/1", nil, 404, 10008, ""},
		{"unknown guild", "GET", "/api/v10/guilds/1", nil, 404, 10004, ""},
		{"unknown member", "GET", "/api/v10/guilds/" + s.GuildID() + "/members/1", nil, 404, 10007, ""},
		{"unknown user", "GET", "/api/v10/users/1", nil, 404, 10013, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := api(t, s, tt.method, tt.path, tt.body)
			wantStatus(t, resp, body, tt.status)
			e := decodeErr(t, body)
			if e.Code != tt.code || e.Message == "" || !strings.Contains(string(e.Errors), tt.field) {
				t.Fatalf("error %s, want code %d with %s", body, tt.code, tt.field)
			}
		})
	}
	t.Run("wrong content type", func(t *testing.T) {
		req, _ := http.NewRequest("POST", s.URL()+path, strings.NewReader("hi"))
		req.Header.Set("Authorization", "Bot "+s.Token())
		req.Header.Set("Content-Type", "text/plain")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

func TestMultipartPayloadJSON(t *testing.T) {
	s := start(t, Options{})
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("payload_json", `{"content":"with file","attachments":[{"id":0,"filename":"a.txt"}]}`)
	fw, _ := mw.CreateFormFile("files[0]", "a.txt")
	_, _ = fw.Write([]byte("data"))
	_ = mw.Close()
	req, _ := http.NewRequest("POST", s.APIBase()+"/channels/"+s.ChannelID("general")+"/messages", &buf)
	req.Header.Set("Authorization", "Bot "+s.Token())
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestReactionsAndRoles(t *testing.T) {
	s := start(t, Options{})
	out, stop := s.Subscribe()
	defer stop()
	c, _, _ := connect(t, s, allIntents, nil)
	c.expectDispatch("GUILD_CREATE")
	general := s.ChannelID("general")
	m, _ := s.InjectMessage(general, "react to me")
	c.expectDispatch("MESSAGE_CREATE")
	base := "/api/v10/channels/" + general + "/messages/" + m.ID + "/reactions/"
	resp, body := api(t, s, "PUT", base+"%F0%9F%91%8D/@me", nil)
	wantStatus(t, resp, body, 204)
	if o := nextOutput(t, out, OutReactionAdd); o.Emoji != "👍" || o.MessageID != m.ID {
		t.Fatalf("reaction output %+v", o)
	}
	if f := c.expectDispatch("MESSAGE_REACTION_ADD"); !strings.Contains(string(f.D), `"name":"👍"`) {
		t.Fatalf("MESSAGE_REACTION_ADD %s", f.D)
	}
	_, body = api(t, s, "GET", "/api/v10/channels/"+general+"/messages/"+m.ID, nil)
	if got := unmarshal[Message](t, body); len(got.Reactions) != 1 || got.Reactions[0].Count != 1 || !got.Reactions[0].Me {
		t.Fatalf("reactions %s", body)
	}
	resp, body = api(t, s, "PUT", base+"custom:123/@me", nil)
	wantStatus(t, resp, body, 204)
	resp, body = api(t, s, "PUT", base+"nope/@me", nil)
	wantStatus(t, resp, body, 400)
	if e := decodeErr(t, body); e.Code != 10014 {
		t.Fatalf("bad emoji: %s", body)
	}
	resp, body = api(t, s, "DELETE", base+"%F0%9F%91%8D/@me", nil)
	wantStatus(t, resp, body, 204)
	nextOutput(t, out, OutReactionRemove)

	// Roles: add the Moderator role to the tester.
	_, body = api(t, s, "GET", "/api/v10/guilds/"+s.GuildID()+"/roles", nil)
	roles := unmarshal[[]Role](t, body)
	if len(roles) != 3 || roles[1].Name != "Moderator" {
		t.Fatalf("roles %s", body)
	}
	memberPath := "/api/v10/guilds/" + s.GuildID() + "/members/" + s.TestUser().ID
	resp, body = api(t, s, "PUT", memberPath+"/roles/"+roles[1].ID, nil)
	wantStatus(t, resp, body, 204)
	c.expectDispatch("MESSAGE_REACTION_ADD") // the custom emoji
	c.expectDispatch("MESSAGE_REACTION_REMOVE")
	if f := c.expectDispatch("GUILD_MEMBER_UPDATE"); !strings.Contains(string(f.D), roles[1].ID) {
		t.Fatalf("GUILD_MEMBER_UPDATE %s", f.D)
	}
	_, body = api(t, s, "GET", memberPath, nil)
	if mem := unmarshal[Member](t, body); len(mem.Roles) != 2 {
		t.Fatalf("member %s", body)
	}
	resp, body = api(t, s, "PUT", memberPath+"/roles/1", nil)
	wantStatus(t, resp, body, 404)
	if e := decodeErr(t, body); e.Code != 10011 {
		t.Fatalf("unknown role: %s", body)
	}
	resp, body = api(t, s, "DELETE", memberPath+"/roles/"+roles[1].ID, nil)
	wantStatus(t, resp, body, 204)
}

func TestRouteRateLimit(t *testing.T) {
	s := start(t, Options{GlobalRateLimit: 100000}) // the reset poll below may send many requests
	// A long window, so a slow machine cannot see it reset mid-test.
	s.SetRateLimit("POST /channels/{channel_id}/messages", 2, 5*time.Second)
	general := "/api/v10/channels/" + s.ChannelID("general") + "/messages"
	msg := map[string]any{"content": "x"}
	var bucket string
	for i, want := range []string{"1", "0"} {
		resp, body := api(t, s, "POST", general, msg)
		wantStatus(t, resp, body, 200)
		h := resp.Header
		if h.Get("X-RateLimit-Limit") != "2" || h.Get("X-RateLimit-Remaining") != want || h.Get("X-RateLimit-Bucket") == "" {
			t.Fatalf("request %d headers %v", i, h)
		}
		ra, err := strconv.ParseFloat(h.Get("X-RateLimit-Reset-After"), 64)
		if err != nil || ra <= 0 || ra > 5 {
			t.Fatalf("Reset-After %q", h.Get("X-RateLimit-Reset-After"))
		}
		reset, err := strconv.ParseFloat(h.Get("X-RateLimit-Reset"), 64)
		if now := float64(time.Now().UnixMilli()) / 1000; err != nil || reset < now || reset > now+5 {
			t.Fatalf("Reset %q", h.Get("X-RateLimit-Reset"))
		}
		bucket = h.Get("X-RateLimit-Bucket")
	}
	resp, body := api(t, s, "POST", general, msg)
	wantStatus(t, resp, body, 429)
	e := decodeErr(t, body)
	if e.Global || e.RetryAfter <= 0 || e.RetryAfter > 5 || e.Message != "You are being rate limited." {
		t.Fatalf("429 body %s", body)
	}
	h := resp.Header
	if ra, _ := strconv.Atoi(h.Get("Retry-After")); ra < 1 || ra > 5 || h.Get("X-RateLimit-Scope") != "user" || h.Get("X-RateLimit-Remaining") != "0" || h.Get("X-RateLimit-Global") != "" {
		t.Fatalf("429 headers %v", h)
	}
	// Buckets are per major parameter: another channel has its own
	// counter, under the same bucket id.
	resp, body = api(t, s, "POST", "/api/v10/channels/"+s.ChannelID("welcome")+"/messages", msg)
	wantStatus(t, resp, body, 200)
	if resp.Header.Get("X-RateLimit-Bucket") != bucket {
		t.Fatal("bucket id differs between channels")
	}
	// A window resets.
	s.SetRateLimit("POST /channels/{channel_id}/messages", 1, 50*time.Millisecond)
	resp, body = api(t, s, "POST", general, msg)
	wantStatus(t, resp, body, 200)
	waitFor(t, "the bucket to reset", func() bool {
		resp, _ := api(t, s, "POST", general, msg)
		return resp.StatusCode == 200
	})
	// A zero limit restores the default (50 per second).
	s.SetRateLimit("POST /channels/{channel_id}/messages", 0, 0)
	for range 5 {
		resp, body := api(t, s, "POST", general, msg)
		wantStatus(t, resp, body, 200)
		if resp.Header.Get("X-RateLimit-Limit") != "50" {
			t.Fatalf("default limit: %v", resp.Header)
		}
	}
	if n := s.CountRequests("POST", "POST /channels/{channel_id}/messages"); n < 10 {
		t.Fatalf("CountRequests = %d", n)
	}
}

func TestGlobalRateLimit(t *testing.T) {
	s := start(t, Options{GlobalRateLimit: 3})
	// Three calls a second pass; the fourth within the same second does
	// not. (On a very slow machine a window may end between calls, so
	// keep calling until the limit shows.)
	ok := 0
	var resp *http.Response
	var body []byte
	for range 50 {
		resp, body = api(t, s, "GET", "/api/v10/channels/"+s.ChannelID("general"), nil)
		if resp.StatusCode != 200 {
			break
		}
		ok++
	}
	wantStatus(t, resp, body, 429)
	if ok < 3 {
		t.Fatalf("only %d calls passed before the global limit of 3", ok)
	}
	if e := decodeErr(t, body); !e.Global || e.RetryAfter <= 0 || e.RetryAfter > 1 {
		t.Fatalf("global 429 body %s", body)
	}
	if h := resp.Header; h.Get("X-RateLimit-Global") != "true" || h.Get("X-RateLimit-Scope") != "global" || h.Get("Retry-After") != "1" {
		t.Fatalf("global 429 headers %v", h)
	}
	// Interaction endpoints are exempt from the global limit.
	p, err := s.InjectCommand("ping")
	if err != nil {
		t.Fatal(err)
	}
	resp, body = apiAuth(t, s, "POST", "/api/v10/interactions/"+p.ID+"/"+p.Token+"/callback", map[string]any{"type": 4, "data": map[string]any{"content": "pong"}}, "")
	wantStatus(t, resp, body, 204)
	if n := s.CountRequests("", ""); n != ok+2 {
		t.Fatalf("request log has %d entries, want %d", n, ok+2)
	}
	if r := s.Requests()[ok]; r.Status != 429 || r.Route != "GET /channels/{channel_id}" || r.Path != "/api/v10/channels/"+s.ChannelID("general") {
		t.Fatalf("logged %+v", r)
	}
}

func TestBodyTooLarge(t *testing.T) {
	s := start(t, Options{})
	defer func(n int64) { maxBody = n }(maxBody)
	maxBody = 1 << 10 // a smaller limit keeps the upload quick; the code path is the same
	big := []byte(`{"content":"` + strings.Repeat("x", 2<<10) + `"}`)
	resp, body := api(t, s, "POST", "/api/v10/channels/"+s.ChannelID("general")+"/messages", big)
	wantStatus(t, resp, body, 413)
	if e := decodeErr(t, body); e.Code != 40005 {
		t.Fatalf("413 body %s", body)
	}
}

func TestCreateDMAndApplication(t *testing.T) {
	s := start(t, Options{})
	resp, body := api(t, s, "POST", "/api/v10/users/@me/channels", map[string]any{"recipient_id": s.TestUser().ID})
	wantStatus(t, resp, body, 200)
	if ch := unmarshal[Channel](t, body); ch.ID != s.DMChannelID() || ch.Type != 1 {
		t.Fatalf("DM channel %s", body)
	}
	resp, body = api(t, s, "POST", "/api/v10/users/@me/channels", map[string]any{"recipient_id": "1"})
	wantStatus(t, resp, body, 400)
	resp, body = api(t, s, "GET", "/api/v10/applications/@me", nil)
	wantStatus(t, resp, body, 200)
	if app := unmarshal[struct{ ID string }](t, body); app.ID != s.ApplicationID() {
		t.Fatalf("application %s", body)
	}
	resp, body = api(t, s, "POST", "/api/v10/channels/"+s.ChannelID("general")+"/typing", nil)
	wantStatus(t, resp, body, 204)
}

func TestGuildReads(t *testing.T) {
	s := start(t, Options{})
	if _, err := s.AddMember("alice"); err != nil {
		t.Fatal(err)
	}
	g := "/api/v10/guilds/" + s.GuildID()
	_, body := api(t, s, "GET", g, nil)
	if got := unmarshal[Guild](t, body); got.ID != s.GuildID() || got.Name != "botrun test" || len(got.Members) != 0 || len(got.Roles) != 3 {
		t.Fatalf("guild %s", body)
	}
	_, body = api(t, s, "GET", g+"/channels", nil)
	if chs := unmarshal[[]Channel](t, body); len(chs) != 2 || chs[1].Name != "welcome" {
		t.Fatalf("channels %s", body)
	}
	_, body = api(t, s, "GET", g+"/members?limit=2", nil)
	first := unmarshal[[]Member](t, body)
	if len(first) != 2 {
		t.Fatalf("members page 1 %s", body)
	}
	_, body = api(t, s, "GET", g+"/members?limit=2&after="+first[1].User.ID, nil)
	if rest := unmarshal[[]Member](t, body); len(rest) != 1 || rest[0].User.Username != "alice" {
		t.Fatalf("members page 2 %s", body)
	}
	_, body = api(t, s, "GET", "/api/v10/guilds/1/channels", nil)
	if e := decodeErr(t, body); e.Code != 10004 {
		t.Fatalf("unknown guild %s", body)
	}
}
