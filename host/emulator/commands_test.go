package emulator

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestBulkOverwriteEcho(t *testing.T) {
	s := start(t, Options{})
	out, stop := s.Subscribe()
	defer stop()
	global := "/api/v10/applications/" + s.ApplicationID() + "/commands"
	cmds := []map[string]any{
		{"name": "ping", "description": "Ping the bot", "unknown_field": 1,
			"options": []any{map[string]any{"type": 3, "name": "text", "description": "Text", "required": false, "autocomplete": true}}},
		{"name": "User Info", "type": 2},
	}
	resp, body := api(t, s, "PUT", global, cmds)
	wantStatus(t, resp, body, 200)
	got := unmarshal[[]map[string]any](t, body)
	if len(got) != 2 {
		t.Fatalf("echo %s", body)
	}
	ping := got[0]
	for k, want := range map[string]any{
		"name": "ping", "description": "Ping the bot", "type": 1.0, "application_id": s.ApplicationID(),
		"default_member_permissions": nil, "dm_permission": true, "nsfw": false, "contexts": nil,
		"integration_types": []any{0.0},
	} {
		if !reflect.DeepEqual(ping[k], want) {
			t.Errorf("%s = %#v, want %#v", k, ping[k], want)
		}
	}
	if ping["id"] == "" || ping["version"] == "" || ping["id"] == got[1]["id"] {
		t.Errorf("ids: %s", body)
	}
	if _, ok := ping["unknown_field"]; ok {
		t.Error("unknown field echoed")
	}
	opt := ping["options"].([]any)[0].(map[string]any)
	if _, ok := opt["required"]; ok || opt["autocomplete"] != true {
		t.Errorf("option %v: required:false is dropped as Discord does", opt)
	}
	if got[1]["type"] != 2.0 || got[1]["description"] != "" {
		t.Errorf("user command %v", got[1])
	}
	if o := nextOutput(t, out, OutCommands); o.Scope != "global" || o.Count != 2 || o.String() != "commands global: 2 registered" {
		t.Fatalf("output %+v", o)
	}

	// Overwriting with the same commands keeps ids and versions; a change
	// keeps the id and bumps the version.
	cmds[0]["description"] = "Ping!"
	resp, body = api(t, s, "PUT", global, cmds)
	wantStatus(t, resp, body, 200)
	again := unmarshal[[]map[string]any](t, body)
	if again[0]["id"] != ping["id"] || again[0]["version"] == ping["version"] || again[1]["version"] != got[1]["version"] {
		t.Fatalf("re-overwrite: %s", body)
	}
	if n := len(s.Commands("global")); n != 2 || len(s.Commands("")) != 2 {
		t.Fatalf("Commands(global) = %d", n)
	}
	// GET returns the same list.
	_, body = api(t, s, "GET", global, nil)
	if list := unmarshal[[]map[string]any](t, body); len(list) != 2 || list[0]["description"] != "Ping!" {
		t.Fatalf("GET %s", body)
	}

	// Guild scope: guild_id set, no dm_permission.
	guild := "/api/v10/applications/" + s.ApplicationID() + "/guilds/" + s.GuildID() + "/commands"
	resp, body = api(t, s, "PUT", guild, cmds[:1])
	wantStatus(t, resp, body, 200)
	g := unmarshal[[]map[string]any](t, body)[0]
	if g["guild_id"] != s.GuildID() || g["id"] == ping["id"] {
		t.Fatalf("guild command %v", g)
	}
	if _, ok := g["dm_permission"]; ok {
		t.Fatal("guild command has dm_permission")
	}
	var cmd map[string]any
	if err := json.Unmarshal(s.Commands(s.GuildID())[0], &cmd); err != nil || cmd["id"] != g["id"] {
		t.Fatalf("Commands(guild) = %v", cmd)
	}
	// An empty list clears the scope.
	resp, body = api(t, s, "PUT", guild, []any{})
	wantStatus(t, resp, body, 200)
	if len(s.Commands(s.GuildID())) != 0 {
		t.Fatal("guild commands not cleared")
	}
}

func TestCommandValidation(t *testing.T) {
	s := start(t, Options{})
	global := "/api/v10/applications/" + s.ApplicationID() + "/commands"
	tests := []struct {
		name  string
		body  any
		field string
	}{
		{"upper case name", []any{map[string]any{"name": "Ping", "description": "d"}}, `"0":{"name":{"_errors":[{"code":"APPLICATION_COMMAND_INVALID_NAME"`},
		{"no description", []any{map[string]any{"name": "ping"}}, `"0":{"description"`},
		{"context menu description", []any{map[string]any{"name": "Info", "type": 3, "description": "no"}}, "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION"},
		{"duplicate", []any{map[string]any{"name": "a", "description": "d"}, map[string]any{"name": "a", "description": "d"}}, `"1":{"name"`},
		{"bad option type", []any{map[string]any{"name": "a", "description": "d", "options": []any{map[string]any{"type": 12, "name": "o", "description": "d"}}}}, `"options":{"0":{"type"`},
		{"nested option name", []any{map[string]any{"name": "a", "description": "d", "options": []any{map[string]any{"type": 1, "name": "sub", "description": "d",
			"options": []any{map[string]any{"type": 3, "name": "Bad Name", "description": "d"}}}}}}, `"options":{"0":{"options":{"0":{"name"`},
		{"bad type", []any{map[string]any{"name": "a", "description": "d", "type": 9}}, `"type"`},
		{"name too long", []any{map[string]any{"name": strings.Repeat("a", 33), "description": "d"}}, "BASE_TYPE_BAD_LENGTH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := api(t, s, "PUT", global, tt.body)
			wantStatus(t, resp, body, 400)
			if e := decodeErr(t, body); e.Code != 50035 || !strings.Contains(string(e.Errors), tt.field) {
				t.Fatalf("errors %s, want %s", body, tt.field)
			}
		})
	}
	resp, body := api(t, s, "PUT", global, map[string]any{"name": "not a list"})
	wantStatus(t, resp, body, 400)
	if e := decodeErr(t, body); e.Code != 50109 {
		t.Fatalf("object body: %s", body)
	}
	resp, body = api(t, s, "PUT", "/api/v10/applications/1/commands", []any{})
	wantStatus(t, resp, body, 403)
	if e := decodeErr(t, body); e.Code != 50001 {
		t.Fatalf("other application: %s", body)
	}
	if len(s.Commands("global")) != 0 {
		t.Fatal("a refused overwrite changed the commands")
	}
}

func TestCommandCRUD(t *testing.T) {
	s := start(t, Options{})
	base := "/api/v10/applications/" + s.ApplicationID() + "/commands"
	resp, body := api(t, s, "POST", base, map[string]any{"name": "ping", "description": "Ping"})
	wantStatus(t, resp, body, 201)
	c := unmarshal[map[string]any](t, body)
	id := c["id"].(string)
	resp, body = api(t, s, "POST", base, map[string]any{"name": "ping", "description": "Ping"})
	wantStatus(t, resp, body, 200) // same name: updated in place
	if unmarshal[map[string]any](t, body)["id"] != id {
		t.Fatal("upsert changed the id")
	}
	resp, body = api(t, s, "PATCH", base+"/"+id, map[string]any{"description": "Pong"})
	wantStatus(t, resp, body, 200)
	if e := unmarshal[map[string]any](t, body); e["description"] != "Pong" || e["name"] != "ping" || e["version"] == c["version"] {
		t.Fatalf("patched %s", body)
	}
	resp, body = api(t, s, "PATCH", base+"/"+id, map[string]any{"name": "BAD"})
	wantStatus(t, resp, body, 400)
	resp, body = api(t, s, "GET", base+"/"+id, nil)
	wantStatus(t, resp, body, 200)
	resp, body = api(t, s, "DELETE", base+"/"+id, nil)
	wantStatus(t, resp, body, 204)
	resp, body = api(t, s, "GET", base+"/"+id, nil)
	wantStatus(t, resp, body, 404)
	if e := decodeErr(t, body); e.Code != 10063 {
		t.Fatalf("deleted: %s", body)
	}
}
