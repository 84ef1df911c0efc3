package emulator

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares an indented JSON value with testdata/golden/name.json.
func golden(t *testing.T, name string, raw []byte, replace ...string) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	got := strings.NewReplacer(replace...).Replace(buf.String()) + "\n"
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", name, path, got)
	}
}

// TestWireGolden pins the exact wire form of the main dispatches and REST
// answers, with a fixed clock so timestamps are stable.
func TestWireGolden(t *testing.T) {
	clock := newClock()
	s := start(t, Options{Now: clock.Now})
	c, r, ready := connect(t, s, allIntents, nil)
	port := strings.TrimPrefix(s.URL(), "http://127.0.0.1:")
	norm := []string{r.SessionID, "SESSION", "127.0.0.1:" + port, "127.0.0.1:PORT"}
	golden(t, "ready", mustJSON(ready), norm...)
	golden(t, "guild_create", mustJSON(c.expectDispatch("GUILD_CREATE")), norm...)
	if _, err := s.InjectMessage(s.ChannelID("general"), "hello <@"+s.BotUser().ID+">"); err != nil {
		t.Fatal(err)
	}
	golden(t, "message_create", mustJSON(c.expectDispatch("MESSAGE_CREATE")), norm...)
	_, body := api(t, s, "PUT", "/api/v10/applications/"+s.ApplicationID()+"/commands", []map[string]any{
		{"name": "echo", "description": "Echo text", "options": []any{map[string]any{"type": 3, "name": "text", "description": "Text", "required": true}}},
	})
	golden(t, "commands_put", body, norm...)
	p, err := s.InjectCommand("echo", Opt("text", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "interaction_create", mustJSON(c.expectDispatch("INTERACTION_CREATE")), norm...)
	_, body = api(t, s, "POST", callbackPath(p), map[string]any{"type": 9, "data": map[string]any{"custom_id": "m", "components": []any{1}}})
	golden(t, "error_form_body", body, norm...)
}
