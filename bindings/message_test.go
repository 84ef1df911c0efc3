package bindings

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

var testMessage = &Object{Kind: KindMessage, Raw: json.RawMessage(`{"id":"55","channel_id":"10","content":"!ping","author":{"id":"7"}}`)}

func TestContentOrMessage(t *testing.T) {
	tests := []struct {
		name string
		arg  any
		want map[string]any
		err  string
	}{
		{"string", "hello", map[string]any{"content": "hello"}, ""},
		{"table", map[string]any{"content": "hi", "tts": true}, map[string]any{"content": "hi", "tts": true}, ""},
		{"raw json", json.RawMessage(`{"content":"raw"}`), map[string]any{"content": "raw"}, ""},
		{"embed only", map[string]any{"embeds": []any{map[string]any{"title": "t"}}}, map[string]any{"embeds": []any{map[string]any{"title": "t"}}}, ""},
		{"number", int64(3), nil, "second argument must be a string or a message table/object, got number"},
		{"bool", true, nil, "got boolean"},
		{"array", []any{"a"}, nil, "got array"},
		{"function", testCallback{}, nil, "got function"},
		{"raw array", json.RawMessage(`[1]`), nil, "got table/object"},
		{"empty", "", nil, "message content is empty"},
		{"ephemeral outside interactions", map[string]any{"content": "x", "ephemeral": true}, nil, "ephemeral only applies to interaction responses"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			res, err := f.call("discord.send", "10", tt.arg)
			if tt.err != "" {
				ue := usageErr(t, err)
				if ue.Func != "discord.send" || !strings.Contains(ue.Msg, tt.err) {
					t.Fatalf("error %q, want %q", err, tt.err)
				}
				if f.rec.count() != 0 {
					t.Fatal("a rejected message reached the platform")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := f.rec.last(t)
			if c.Op != "send" || c.Channel != "10" || c.ReplyTo != "" || !reflect.DeepEqual(c.Msg, tt.want) {
				t.Errorf("platform got %+v, want message %v", c, tt.want)
			}
			if o, ok := res.(*Object); !ok || o.Kind != KindMessage || string(o.Raw) != string(sentMessage) {
				t.Errorf("discord.send returned %#v, want the sent message with methods", res)
			}
		})
	}
}

func TestMessageMethods(t *testing.T) {
	tests := []struct {
		method string
		args   []any
		want   recorded
	}{
		{"reply", []any{"pong"}, recorded{Op: "send", Channel: "10", ReplyTo: "55", Msg: map[string]any{"content": "pong"}}},
		{"edit", []any{map[string]any{"content": "new"}}, recorded{Op: "edit", Channel: "10", Message: "55", Msg: map[string]any{"content": "new"}}},
		{"delete", nil, recorded{Op: "delete", Channel: "10", Message: "55"}},
		{"react", []any{"👍"}, recorded{Op: "react", Channel: "10", Message: "55", Emoji: "👍"}},
		{"react", []any{"<:party:123>"}, recorded{Op: "react", Channel: "10", Message: "55", Emoji: "party:123"}},
		{"react", []any{"<a:dance:456>"}, recorded{Op: "react", Channel: "10", Message: "55", Emoji: "dance:456"}},
		{"react", []any{"party:123"}, recorded{Op: "react", Channel: "10", Message: "55", Emoji: "party:123"}},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			f := newFixture(t)
			if _, err := f.method(testMessage, tt.method, tt.args...); err != nil {
				t.Fatal(err)
			}
			if got := f.rec.last(t); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("platform got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestMessageMethodErrors(t *testing.T) {
	f := newFixture(t)
	noIDs := &Object{Kind: KindMessage, Raw: json.RawMessage(`{"content":"x"}`)}
	if _, err := f.method(noIDs, "reply", "x"); !strings.Contains(err.Error(), "reply: must be called on a message") {
		t.Errorf("reply on data without ids: %v", err)
	}
	if _, err := f.method(testMessage, "react", ""); !strings.Contains(err.Error(), "emoji) must not be empty") {
		t.Errorf("react(\"\"): %v", err)
	}
	if _, err := f.method(testMessage, "delete", "x"); !strings.Contains(err.Error(), "takes no arguments") {
		t.Errorf("delete(x): %v", err)
	}
	// A platform failure reaches the script unchanged.
	apiErr := &APIError{Status: 403, Code: 50013, Message: "Missing Permissions", Method: "POST", Path: "/channels/10/messages"}
	f.rec.err = apiErr
	_, err := f.method(testMessage, "reply", "x")
	var got *APIError
	if !errors.As(err, &got) || got != apiErr {
		t.Errorf("reply error = %v, want the platform's *APIError", err)
	}
}

func TestNotConnected(t *testing.T) {
	f := newFixture(t)
	f.script.Host = &Host{}
	for _, name := range []string{"discord.send", "discord.get", "bot.set_presence", "store.get"} {
		var args []any
		switch name {
		case "discord.send":
			args = []any{"1", "x"}
		case "discord.get":
			args = []any{"/users/@me"}
		case "bot.set_presence":
			args = []any{map[string]any{"status": "idle"}}
		case "store.get":
			args = []any{"k"}
		}
		_, err := f.call(name, args...)
		if !errors.Is(err, ErrNotConnected) || !strings.HasPrefix(err.Error(), name+": ") {
			t.Errorf("%s without a host = %v, want a %q error wrapping ErrNotConnected", name, err, name)
		}
	}
	_, err := f.method(testMessage, "reply", "x")
	if err == nil || err.Error() != "reply: not connected to a platform (botrun check)" {
		t.Errorf("reply without a platform = %v", err)
	}
}
