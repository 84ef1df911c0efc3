package uncord

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	emu "github.com/botrun/botrun/host/emulator/uncord"
)

const someUUID = "0b7c9d2e-1f3a-4b5c-8d6e-7f8091a2b3c4"

func testCommands(t *testing.T) *Commands {
	t.Helper()
	str := func(name string, req bool) map[string]any {
		return map[string]any{"type": 3, "name": name, "description": "d", "required": req}
	}
	specs := []map[string]any{
		{"name": "echo", "options": []any{str("text", true)}},
		{"name": "add", "options": []any{
			map[string]any{"type": 4, "name": "a", "required": true}, map[string]any{"type": 4, "name": "b", "required": true}}},
		{"name": "flip", "options": []any{map[string]any{"type": 5, "name": "coin"}, map[string]any{"type": 10, "name": "bias"}}},
		{"name": "config", "options": []any{
			map[string]any{"type": 1, "name": "get", "options": []any{str("key", true)}},
			map[string]any{"type": 1, "name": "set", "options": []any{str("key", true), str("value", true)}},
			map[string]any{"type": 2, "name": "admin", "options": []any{
				map[string]any{"type": 1, "name": "reset"}}},
		}},
		{"name": "remind", "options": []any{str("when", true), str("text", true)}},
		{"name": "pick", "options": []any{map[string]any{"type": 3, "name": "color", "required": true,
			"choices": []any{map[string]any{"name": "Red", "value": "red"}, map[string]any{"name": "Green", "value": "green"}}}}},
		{"name": "greet", "options": []any{map[string]any{"type": 6, "name": "who", "required": true}}},
		{"name": "roll", "options": []any{map[string]any{"type": 4, "name": "sides", "required": true, "min_value": int64(2), "max_value": 100.0},
			map[string]any{"type": 4, "name": "count"}}},
		{"name": "upload", "options": []any{map[string]any{"type": 11, "name": "file", "required": true}}},
		{"name": "Inspect", "type": 2}, // user context menu: no text form
	}
	c := NewCommands("")
	if err := c.Set("bot.lua", specs); err != nil {
		t.Fatal(err)
	}
	return c
}

func msgJSON(content, authorID string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"id": "m1", "channel_id": "c1", "content": content,
		"author": map[string]any{"id": authorID, "username": "tester"}})
	return b
}

func TestTextCommands(t *testing.T) {
	c := testCommands(t)
	cases := []struct {
		content string
		opts    string // JSON of data.options; "" = no match
		usage   string // substring of the usage reply
	}{
		{"/echo hello   world", `[{"name":"text","type":3,"value":"hello   world"}]`, ""},
		{"/echo text:hi", `[{"name":"text","type":3,"value":"hi"}]`, ""},
		{"/echo text:hi there", `[{"name":"text","type":3,"value":"hi there"}]`, ""},
		{`/echo "say \"hi\""`, `[{"name":"text","type":3,"value":"say \"hi\""}]`, ""},
		{"/ECHO loud", `[{"name":"text","type":3,"value":"loud"}]`, ""},
		{"/echo", "", "Missing text.\nUsage: /echo text:<string>"},
		{`/echo "open`, "", "quote is not closed"},
		{"/add 2 -3", `[{"name":"a","type":4,"value":2},{"name":"b","type":4,"value":-3}]`, ""},
		{"/add b:2 a:1", `[{"name":"a","type":4,"value":1},{"name":"b","type":4,"value":2}]`, ""},
		{"/add a:2 b:x", "", `b must be a whole number, not "x".` + "\nUsage: /add a:<integer> b:<integer>"},
		{"/add 1 2 3", "", "Too many values."},
		{"/add a:1 a:2", "", "a is given twice."},
		{"/flip coin:yes bias:0.25", `[{"name":"coin","type":5,"value":true},{"name":"bias","type":10,"value":0.25}]`, ""},
		{"/flip", `[]`, ""},
		{"/flip coin:maybe", "", "coin must be true or false"},
		{"/flip bias:NaN", "", "bias must be a number"},
		{"/config set key:name value:Mr Bot", `[{"name":"set","options":[{"name":"key","type":3,"value":"name"},{"name":"value","type":3,"value":"Mr Bot"}],"type":1}]`, ""},
		{"/config set name Mr Bot", `[{"name":"set","options":[{"name":"key","type":3,"value":"name"},{"name":"value","type":3,"value":"Mr Bot"}],"type":1}]`, ""},
		{"/config admin reset", `[{"name":"admin","options":[{"name":"reset","options":[],"type":1}],"type":2}]`, ""},
		{"/config", "", "Choose a subcommand.\nUsage: /config get|set|admin …"},
		{"/config nope", "", `Unknown subcommand "nope".`},
		{"/config get", "", "Missing key.\nUsage: /config get key:<string>"},
		{"/remind text:buy milk when:tomorrow 9am", `[{"name":"when","type":3,"value":"tomorrow 9am"},{"name":"text","type":3,"value":"buy milk"}]`, ""},
		{"/remind when:now see http://x.org/a:b", "", "Missing text."},
		{"/pick color:Red", `[{"name":"color","type":3,"value":"red"}]`, ""},
		{"/pick green", `[{"name":"color","type":3,"value":"green"}]`, ""},
		{"/pick blue", "", "color must be one of red, green.\nUsage: /pick color:<red|green>"},
		{"/greet who:<@" + strings.ToUpper(someUUID) + ">", `[{"name":"who","type":6,"value":"` + someUUID + `"}]`, ""},
		{"/greet bob", "", "who must be a user id"},
		{"/roll sides:1", "", "sides must be at least 2"},
		{"/roll 101", "", "sides must be at most 100"},
		{"/roll 6 count:2", `[{"name":"sides","type":4,"value":6},{"name":"count","type":4,"value":2}]`, ""},
		{"/upload x", "", "attachment"},
		{"/inspect", "", ""},
		{"/unknown x", "", ""},
		{"hello /echo x", "", ""},
		{"/", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.content, func(t *testing.T) {
			inv, ok := c.Match(msgJSON(tc.content, "u1"), "self")
			if tc.opts == "" && tc.usage == "" {
				if ok {
					t.Fatalf("matched: %+v", inv)
				}
				return
			}
			if !ok {
				t.Fatal("not recognised as a command")
			}
			if tc.usage != "" {
				if !strings.Contains(inv.Usage, tc.usage) || inv.Interaction != nil {
					t.Fatalf("usage %q, want it to contain %q", inv.Usage, tc.usage)
				}
				return
			}
			if inv.Usage != "" {
				t.Fatalf("unexpected usage error %q", inv.Usage)
			}
			var ix struct {
				ID, Token, ChannelID string
				Type                 int
				Member               struct{ User struct{ ID string } }
				Data                 struct {
					Name    string
					Options json.RawMessage
				}
			}
			if err := json.Unmarshal(inv.Interaction, &ix); err != nil {
				t.Fatal(err)
			}
			if ix.Type != 2 || ix.ID != "m1" || ix.Token != TokenPrefix+"c1:m1" || ix.Member.User.ID != "u1" || ix.Data.Name != inv.Name {
				t.Fatalf("interaction %s", inv.Interaction)
			}
			if string(ix.Data.Options) != tc.opts {
				t.Fatalf("options\n got %s\nwant %s", ix.Data.Options, tc.opts)
			}
		})
	}
	if _, ok := c.Match(msgJSON("/echo hi", "self"), "self"); ok {
		t.Fatal("the bot's own message ran a command")
	}
}

func TestCommandOwnership(t *testing.T) {
	c := NewCommands("!")
	if err := c.Set("a.lua", []map[string]any{{"name": "ping"}}); err != nil {
		t.Fatal(err)
	}
	err := c.Set("b.js", []map[string]any{{"name": "ping"}, {"name": "pong"}, {"name": "bad name"}})
	if err == nil || !strings.Contains(err.Error(), "already declared by a.lua") || !strings.Contains(err.Error(), "bad name") {
		t.Fatalf("Set: %v", err)
	}
	if inv, _ := c.Match(msgJSON("!ping", "u"), ""); inv.Owner != "a.lua" {
		t.Fatalf("owner %q", inv.Owner)
	}
	c.Remove("a.lua")
	if inv, _ := c.Match(msgJSON("!ping", "u"), ""); inv.Owner != "b.js" {
		t.Fatalf("after removal, owner %q", inv.Owner)
	}
	if got := strings.Join(c.Names(), ","); got != "ping,pong" {
		t.Fatalf("Names %s", got)
	}
	inv, ok := c.MatchInvocation(json.RawMessage(`{"id":"i","name":"pong","channel_id":"c","options":{"x":"a b"}}`))
	if !ok || inv.Owner != "b.js" {
		t.Fatalf("SLASH_COMMAND_INVOCATION: %+v %v", inv, ok)
	}
}

func TestResponderAnswersWithRepliesAndEdits(t *testing.T) {
	s := startEmu(t, emu.Options{})
	cl, _ := newClient(t, s, nil)
	ctx := ctxT(t)
	out, cancel := s.Subscribe()
	defer cancel()
	rs := NewResponder(cl, ResponderOptions{})
	c := testCommands(t)
	gen := s.ChannelID("general")

	ixFor := func(content string) (Interaction, Invocation) {
		m, err := s.InjectMessage(gen, content)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(m)
		inv, ok := c.Match(raw, s.BotUser().ID)
		if !ok {
			t.Fatalf("%q not matched", content)
		}
		var ix Interaction
		json.Unmarshal(inv.Interaction, &struct {
			ID        *string `json:"id"`
			Token     *string `json:"token"`
			ChannelID *string `json:"channel_id"`
			Type      *int    `json:"type"`
		}{&ix.ID, &ix.Token, &ix.ChannelID, &ix.Type})
		return ix, inv
	}

	ix, _ := ixFor("/echo hi")
	if _, err := rs.Respond(ctx, ix, 4, map[string]any{"content": "hi", "ephemeral": true}); err != nil {
		t.Fatal(err)
	}
	if o := next(t, out); o.Kind != emu.OutMessage || o.Content != "hi" || o.ReplyTo != ix.ID {
		t.Fatalf("respond: %+v", o)
	}
	if _, err := rs.Respond(ctx, ix, 4, map[string]any{"content": "again"}); err == nil {
		t.Fatal("second Respond accepted")
	}
	if _, err := rs.Followup(ctx, ix, map[string]any{"content": "more"}); err != nil {
		t.Fatal(err)
	}
	if o := next(t, out); o.Kind != emu.OutMessage || o.Content != "more" || o.ReplyTo != ix.ID {
		t.Fatalf("followup: %+v", o)
	}
	if _, err := rs.EditOriginal(ctx, ix, map[string]any{"content": "hi (edited)"}); err != nil {
		t.Fatal(err)
	}
	if o := next(t, out); o.Kind != emu.OutEdit || o.Content != "hi (edited)" {
		t.Fatalf("edit: %+v", o)
	}
	if err := rs.DeleteOriginal(ctx, ix); err != nil {
		t.Fatal(err)
	}
	if o := next(t, out); o.Kind != emu.OutDelete {
		t.Fatalf("delete: %+v", o)
	}

	// deferred: the first edit (or followup) becomes the response
	ix2, _ := ixFor("/echo later")
	if _, err := rs.Respond(ctx, ix2, 5, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := rs.EditOriginal(ctx, ix2, map[string]any{"content": "done"}); err != nil {
		t.Fatal(err)
	}
	if o := next(t, out); o.Kind != emu.OutMessage || o.Content != "done" || o.ReplyTo != ix2.ID {
		t.Fatalf("deferred edit: %+v", o)
	}
	if _, err := rs.EditOriginal(ctx, ix2, map[string]any{"content": "done!"}); err != nil {
		t.Fatal(err)
	}
	if o := next(t, out); o.Kind != emu.OutEdit {
		t.Fatalf("second edit: %+v", o)
	}
	if _, err := rs.Respond(ctx, ix2, 9, map[string]any{"custom_id": "m"}); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("modal: %v", err)
	}

	_, bad := ixFor("/add 1")
	if err := rs.Usage(ctx, bad); err != nil {
		t.Fatal(err)
	}
	if o := next(t, out); o.Kind != emu.OutMessage || !strings.HasPrefix(o.Content, "Missing b.\nUsage: /add") || o.ReplyTo != bad.MessageID {
		t.Fatalf("usage reply: %+v", o)
	}
}

func FuzzTextCommand(f *testing.F) {
	for _, s := range []string{"/echo hi", `/config set key:"a b" value:c`, "/add 1 2", `/echo "x\`, "/roll sides:1e9"} {
		f.Add(s)
	}
	c := NewCommands("")
	c.Set("x", []map[string]any{
		{"name": "echo", "options": []any{map[string]any{"type": 3, "name": "text", "required": true}}},
		{"name": "add", "options": []any{map[string]any{"type": 4, "name": "a"}, map[string]any{"type": 10, "name": "b"}}},
		{"name": "config", "options": []any{map[string]any{"type": 1, "name": "set", "options": []any{
			map[string]any{"type": 3, "name": "key"}, map[string]any{"type": 3, "name": "value"}}}}},
	})
	f.Fuzz(func(t *testing.T, content string) {
		inv, ok := c.Match(msgJSON(content, "u"), "")
		if !ok {
			name, _, _ := strings.Cut(strings.TrimSpace(content), " ")
			name, _, _ = strings.Cut(name, "\t")
			name, _, _ = strings.Cut(name, "\n")
			switch strings.ToLower(name) {
			case "/echo", "/add", "/config":
				t.Fatalf("%q not matched", content)
			}
			return
		}
		if (inv.Usage == "") == (inv.Interaction == nil) {
			t.Fatalf("exactly one of Usage and Interaction must be set: %+v", inv)
		}
		if inv.Interaction != nil && !json.Valid(inv.Interaction) {
			t.Fatal("invalid interaction JSON")
		}
	})
}

func TestMatchPrecheckKeepsEscapedContent(t *testing.T) {
	c := testCommands(t)
	for _, raw := range []string{
		`{"id":"m","channel_id":"c","author":{"id":"u"},"content":"\/echo hi"}`,
		`{"id":"m","channel_id":"c","author":{"id":"u"},"content":"\u002fecho hi"}`,
		`{"attachments":[{"content_type":"text/plain"}],"author":{"id":"u"},"channel_id":"c","content" : "/echo hi","id":"m"}`,
	} {
		if inv, ok := c.Match(json.RawMessage(raw), ""); !ok || inv.Usage != "" {
			t.Errorf("%s: not matched (%+v)", raw, inv)
		}
	}
	if _, ok := NewCommands("").Match(msgJSON("/echo hi", "u"), ""); ok {
		t.Error("matched with no commands declared")
	}
}
