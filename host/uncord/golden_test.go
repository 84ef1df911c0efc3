package uncord

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got (JSON, indented before comparing) with
// testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("%s differs:\n got %s\nwant %s", name, buf.Bytes(), want)
	}
}

func TestGoldenWireFormats(t *testing.T) {
	c := testCommands(t)
	msg := json.RawMessage(`{"attachments":[],"author":{"avatar_key":null,"display_name":"Tess","id":"6654d65f-2d32-4b26-ad63-7113db4e2763","username":"tester"},` +
		`"channel_id":"7d716c10-24c1-4d35-9420-70db1f3580c2","content":"/config set key:greeting value:Hello there","created_at":"2026-11-23T08:46:57Z",` +
		`"edited_at":null,"encrypted":false,"id":"43f044d3-ede4-49e5-a8fd-2fcfee1b571a","pinned":false,"reactions":[],"reply_to_id":null}`)
	inv, ok := c.Match(msg, "")
	if !ok || inv.Usage != "" {
		t.Fatalf("%+v", inv)
	}
	golden(t, "interaction.json", inv.Interaction)

	d := NewGatewayDialect(&Auth{cfg: AuthConfig{Now: nil}}, nil)
	identify, _ := json.Marshal(map[string]any{"op": 2, "d": d.Identify("TOKEN", 1<<15, [2]int{0, 1}, map[string]any{"status": "idle"})})
	golden(t, "identify.json", identify)
	presence, _ := json.Marshal(map[string]any{"op": 3, "d": d.Presence(map[string]any{"status": "idle", "activities": []any{map[string]any{"name": "x"}}, "afk": false})})
	golden(t, "presence.json", presence)
}
