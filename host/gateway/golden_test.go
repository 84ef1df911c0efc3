package gateway

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// golden compares a client payload with testdata/name (indented JSON).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	pretty, _ := json.MarshalIndent(v, "", "  ")
	pretty = append(pretty, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, pretty, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(pretty, want) {
		t.Errorf("%s differs from the golden file:\ngot:\n%s\nwant:\n%s", name, pretty, want)
	}
}

// TestWireGolden pins the exact Identify, Resume, heartbeat and presence
// payloads botrun sends.
func TestWireGolden(t *testing.T) {
	gw := newFakeGW(t)
	h := start(t, gw, func(c *Config) {
		c.Properties = &Properties{OS: "linux", Browser: "botrun", Device: "botrun"}
		c.Intents = IntentsFor([]string{"MESSAGE_CREATE"})
		c.Presence = map[string]any{"status": "online", "activities": []any{}, "since": nil, "afk": false}
	})
	raw := func(f inFrame) []byte { b, _ := json.Marshal(f); return b }
	c := gw.accept()
	c.hello(60_000)
	golden(t, "identify.json", raw(c.expect(opIdentify)))
	c.ready("golden-session")
	h.expectEvent("READY")
	c.dispatch("MESSAGE_CREATE", 2, map[string]any{})
	h.expectEvent("MESSAGE_CREATE")
	c.send(map[string]any{"op": opHeartbeat})
	golden(t, "heartbeat.json", raw(c.expectBeat()))
	if err := h.m.UpdatePresence(t.Context(), map[string]any{"status": "dnd", "activities": []any{map[string]any{"name": "tests", "type": 0}}, "since": nil, "afk": false}); err != nil {
		t.Fatal(err)
	}
	golden(t, "presence.json", raw(c.expect(opPresenceUpdate)))
	c.closeWith(4000, "resume please")
	c2 := gw.accept()
	c2.hello(60_000)
	golden(t, "resume.json", raw(c2.expect(opResume)))
}
