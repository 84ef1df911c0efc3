package emulator

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestControlAPI drives the emulator through /_emulator/ the way a test
// suite in another language would, with a raw gateway client as the bot.
func TestControlAPI(t *testing.T) {
	s := start(t, Options{})
	bot, _, _ := connect(t, s, allIntents, nil)
	bot.expectDispatch("GUILD_CREATE")

	resp, body := apiAuth(t, s, "GET", "/_emulator/info", nil, "")
	wantStatus(t, resp, body, 200)
	info := unmarshal[struct {
		Token    string            `json:"token"`
		APIBase  string            `json:"api_base"`
		GuildID  string            `json:"guild_id"`
		Channels map[string]string `json:"channels"`
		Sessions []SessionInfo     `json:"sessions"`
	}](t, body)
	if info.Token != s.Token() || info.APIBase != s.APIBase() || info.GuildID != s.GuildID() ||
		info.Channels["general"] != s.ChannelID("general") || len(info.Sessions) != 1 || !info.Sessions[0].Connected {
		t.Fatalf("info %s", body)
	}

	// Stream outputs while the "bot" answers.
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL()+"/_emulator/outputs?timeout=5s", nil)
	stream, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	lines := bufio.NewScanner(stream.Body)

	resp, body = apiAuth(t, s, "POST", "/_emulator/messages", map[string]any{"channel": "#general", "content": "!ping"}, "")
	wantStatus(t, resp, body, 200)
	m := unmarshal[Message](t, body)
	if got := unmarshal[Message](t, bot.expectDispatch("MESSAGE_CREATE").D); got.ID != m.ID || got.Content != "!ping" {
		t.Fatalf("dispatched %+v", got)
	}
	api(t, s, "POST", "/api/v10/channels/"+m.ChannelID+"/messages", map[string]any{"content": "pong"})
	bot.expectDispatch("MESSAGE_CREATE")
	if !lines.Scan() {
		t.Fatalf("output stream ended: %v", lines.Err())
	}
	if o := unmarshal[Output](t, lines.Bytes()); o.Kind != OutMessage || o.Content != "pong" || o.ChannelName != "general" {
		t.Fatalf("streamed %s", lines.Bytes())
	}

	// An interaction waits for the bot's answer.
	done := make(chan []byte, 1)
	go func() { // no t.Fatal off the test goroutine: report through done
		resp, err := http.Post(s.URL()+"/_emulator/interactions", "application/json",
			strings.NewReader(`{"name":"echo","options":[{"name":"n","value":3}]}`))
		if err != nil {
			done <- []byte(err.Error())
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		done <- b
	}()
	f := bot.expectDispatch("INTERACTION_CREATE")
	if !strings.Contains(string(f.D), `{"name":"n","type":4,"value":3}`) {
		t.Fatalf("integer option %s", f.D)
	}
	ix := unmarshal[struct{ ID, Token string }](t, f.D)
	api(t, s, "POST", "/api/v10/interactions/"+ix.ID+"/"+ix.Token+"/callback", map[string]any{"type": 4, "data": map[string]any{"content": "3"}})
	bot.expectDispatch("MESSAGE_CREATE") // the response message
	got := unmarshal[struct {
		ID       string    `json:"id"`
		Response *Response `json:"response"`
	}](t, <-done)
	if got.ID != ix.ID || got.Response == nil || got.Response.Type != 4 || got.Response.Content != "3" {
		t.Fatalf("interaction result %+v", got)
	}

	tests := []struct {
		path string
		body any
	}{
		{"/_emulator/messages", map[string]any{"channel": "nope", "content": "x"}},
		{"/_emulator/messages", map[string]any{"content": ""}},
		{"/_emulator/interactions", map[string]any{"kind": "dance"}},
		{"/_emulator/members", map[string]any{}},
	}
	for _, tt := range tests {
		resp, body := apiAuth(t, s, "POST", tt.path, tt.body, "")
		wantStatus(t, resp, body, 400)
		if e := decodeErr(t, body); e.Message == "" {
			t.Fatalf("%s: %s", tt.path, body)
		}
	}
	resp, body = apiAuth(t, s, "POST", "/_emulator/members", map[string]any{"username": "carol"}, "")
	wantStatus(t, resp, body, 200)
	bot.expectDispatch("GUILD_MEMBER_ADD")
	resp, body = apiAuth(t, s, "GET", "/_emulator/requests", nil, "")
	wantStatus(t, resp, body, 200)
	if reqs := unmarshal[[]Request](t, body); len(reqs) != 2 || reqs[0].Route != "POST /channels/{channel_id}/messages" {
		t.Fatalf("requests %s", body)
	}
	resp, body = apiAuth(t, s, "GET", "/_emulator/nothing", nil, "")
	wantStatus(t, resp, body, 404)
}

func TestControlFaults(t *testing.T) {
	s := start(t, Options{})
	c, _, _ := connect(t, s, allIntents, nil)
	c.expectDispatch("GUILD_CREATE")
	post := func(body map[string]any, status int) {
		t.Helper()
		resp, b := apiAuth(t, s, "POST", "/_emulator/faults", body, "")
		wantStatus(t, resp, b, status)
	}
	post(map[string]any{"fault": "reconnect", "shard": 0}, 204)
	c.expectOp(opReconnect)
	post(map[string]any{"fault": "heartbeat"}, 204)
	c.expectOp(opHeartbeat)
	post(map[string]any{"fault": "invalid_session", "resumable": true}, 204)
	if f := c.expectOp(opInvalidSession); string(f.D) != "true" {
		t.Fatalf("op 9 d = %s", f.D)
	}
	post(map[string]any{"fault": "rest", "route": "GET /users/@me", "status": 429, "retry_after": 0.5}, 204)
	resp, body := api(t, s, "GET", "/api/v10/users/@me", nil)
	wantStatus(t, resp, body, 429)
	if e := decodeErr(t, body); e.RetryAfter != 0.5 {
		t.Fatalf("429 %s", body)
	}
	post(map[string]any{"fault": "rate_limit", "route": "GET /users/@me", "limit": 7, "window_ms": 1000}, 204)
	resp, _ = api(t, s, "GET", "/api/v10/users/@me", nil)
	if resp.Header.Get("X-RateLimit-Limit") != "7" {
		t.Fatalf("rate_limit fault: %v", resp.Header)
	}
	post(map[string]any{"fault": "close", "code": 4000, "reason": "x"}, 204)
	c.expectClose(4000)
	for _, bad := range []map[string]any{{"fault": "nope"}, {"fault": "close", "code": 99}, {"fault": "rest", "status": 200}, {"fault": "rate_limit"}} {
		post(bad, 400)
	}
}
