package bindings

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestCheckPath(t *testing.T) {
	tests := []struct {
		path string
		ok   bool
	}{
		{"/channels/1/messages", true},
		{"/channels/1/messages?limit=10&before=5", true},
		{"/users/@me", true},
		{"/channels/1/messages/2/reactions/%F0%9F%91%8D/@me", true},
		{"/channels/1/messages/2/reactions/👍/@me", true},
		{"channels/1", false},
		{"", false},
		{"//evil.example/x", false},
		{"/https://evil.example/x", false},
		{"/channels/../../oauth2", false},
		{"/channels/%2e%2e/x", false},
		{"/channels/%2E%2E/x", false},
		{"/channels/./x", false},
		{"/channels/1\\..\\x", false},
		{"/channels/1%5c..%5cx", false},
		{"/channels/1#frag", false},
		{"/channels/1 2", false},
		{"/channels/1\r\nHost: evil", false},
		{"/channels/%zz", false},
		{"/channels/%00", false},
		{"/" + strings.Repeat("a", maxPathLen), false},
	}
	for _, tt := range tests {
		err := checkPath("discord.get", tt.path)
		if (err == nil) != tt.ok {
			t.Errorf("checkPath(%q) = %v, want ok=%v", tt.path, err, tt.ok)
		}
	}
}

func TestDiscordVerbs(t *testing.T) {
	body := map[string]any{"name": "x", "n": float64(2)}
	tests := []struct {
		fn       string
		args     []any
		method   string
		wantBody string
	}{
		{"discord.get", []any{"/users/@me"}, "GET", ""},
		{"discord.delete", []any{"/channels/1/messages/2"}, "DELETE", ""},
		{"discord.post", []any{"/channels/1/messages", body}, "POST", `{"n":2,"name":"x"}`},
		{"discord.put", []any{"/guilds/1/bans/2", nil}, "PUT", ""},
		{"discord.patch", []any{"/channels/1", body}, "PATCH", `{"n":2,"name":"x"}`},
		{"discord.request", []any{"patch", "/channels/1", body}, "PATCH", `{"n":2,"name":"x"}`},
		{"discord.request", []any{"GET", "/gateway/bot"}, "GET", ""},
	}
	for _, tt := range tests {
		t.Run(tt.fn+" "+tt.method, func(t *testing.T) {
			f := newFixture(t)
			res, err := f.call(tt.fn, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if raw, ok := res.(json.RawMessage); !ok || string(raw) != `{"ok":true}` {
				t.Errorf("result = %#v, want the raw JSON answer", res)
			}
			c := f.rec.last(t)
			if c.Method != tt.method {
				t.Errorf("method %q, want %q", c.Method, tt.method)
			}
			var gotBody string
			if c.Body != nil {
				gotBody = string(c.Body.(json.RawMessage))
			}
			if gotBody != tt.wantBody {
				t.Errorf("body %s, want %s", gotBody, tt.wantBody)
			}
		})
	}
}

func TestDiscordUsageErrors(t *testing.T) {
	tests := []struct {
		fn   string
		args []any
		want string
	}{
		{"discord.get", []any{"/x", map[string]any{}}, "takes at most 1 argument(s)"},
		{"discord.get", []any{int64(5)}, "path) must be a string, got number"},
		{"discord.get", []any{"https://evil.example/api"}, `must start with "/"`},
		{"discord.request", []any{"TRACE", "/x"}, "is not one of GET, POST"},
		{"discord.post", []any{"/x", testCallback{}}, "request body cannot be sent: a function cannot be converted to JSON"},
		{"discord.send", []any{int64(10), "x"}, "channel id) must be a string, got number"},
	}
	for _, tt := range tests {
		f := newFixture(t)
		_, err := f.call(tt.fn, tt.args...)
		if ue := usageErr(t, err); ue.Func != tt.fn || !strings.Contains(ue.Msg, tt.want) {
			t.Errorf("%s%v = %q, want %q", tt.fn, tt.args, err, tt.want)
		}
		if f.rec.count() != 0 {
			t.Errorf("%s%v reached the platform", tt.fn, tt.args)
		}
	}
}

func TestPayloadLimit(t *testing.T) {
	f := newFixture(t)
	f.script.Caps.MaxPayload = 1000
	big := map[string]any{"content": strings.Repeat("x", 2000)}
	for _, call := range []func() error{
		func() error { _, err := f.call("discord.post", "/channels/1/messages", big); return err },
		func() error { _, err := f.call("discord.send", "1", big); return err },
		func() error { _, err := f.method(testMessage, "reply", big); return err },
	} {
		err := call()
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "larger than 1000 bytes") {
			t.Errorf("oversized payload = %v, want an ErrLimit usage error", err)
		}
	}
	if f.rec.count() != 0 {
		t.Error("an oversized payload reached the platform")
	}
}

func TestAPIErrorPropagates(t *testing.T) {
	f := newFixture(t)
	want := &APIError{Status: 404, Code: 10003, Message: "Unknown Channel", Method: "GET", Path: "/channels/1"}
	f.rec.err = want
	_, err := f.call("discord.get", "/channels/1")
	var got *APIError
	if !errors.As(err, &got) || got != want {
		t.Fatalf("error = %v, want the *APIError unchanged", err)
	}
}
