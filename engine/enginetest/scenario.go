package enginetest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
)

// Scenario is one behaviour both engines must show. The script is
// engine/testdata/scenarios/NAME.lua or NAME.js (or Path, with {ext}).
type Scenario struct {
	Name   string
	Path   string
	Limits engine.Limits
	// Setup may build a bot directory of its own (symlinks) and return it.
	Setup func(t *testing.T, scenarioDir string) string
	// LoadError, if set, is the pattern the load error must match.
	LoadError string
	// AfterLoad is what the top level must have done.
	AfterLoad []string
	Steps     []Step
	// Also names more scripts (NAME.{ext}) loaded next to this one; every
	// event goes to all of them.
	Also []string
	// Never lists patterns no transcript line may match (checked after
	// Close).
	Never []string
}

// Step delivers events (after a restart of the script, if set) and waits
// for the transcript lines that must follow, in order.
type Step struct {
	Restart bool
	Events  []bindings.Event
	Expect  []string
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Message is a realistic MESSAGE_CREATE event with content in channel 100
// from a human author.
func Message(id, content string) bindings.Event {
	return bindings.Event{Name: "MESSAGE_CREATE", Data: MessageData(id, content)}
}

// MessageData is the d of a MESSAGE_CREATE (about 1 KB, like Discord's).
func MessageData(id, content string) json.RawMessage {
	m := map[string]any{
		"id": id, "channel_id": "100", "guild_id": "200", "type": 0, "content": content,
		"tts": false, "mention_everyone": false, "pinned": false, "flags": 0,
		"timestamp": "2026-11-23T10:00:00.000000+00:00", "edited_timestamp": nil, "nonce": "1187456",
		"author": map[string]any{"id": "300", "username": "alice", "global_name": "Alice", "discriminator": "0",
			"avatar": "a_1f2e3d4c5b6a79881f2e3d4c5b6a7988", "bot": false, "public_flags": 64},
		"member": map[string]any{"roles": []any{"400", "401"}, "joined_at": "2024-01-01T00:00:00+00:00",
			"nick": nil, "deaf": false, "mute": false, "flags": 0, "premium_since": nil},
		"mentions":      []any{map[string]any{"id": "301", "username": "bob", "bot": false}},
		"mention_roles": []any{}, "attachments": []any{}, "embeds": []any{}, "components": []any{},
		"referenced_message": nil,
		"big":                json.Number("123456789012345678901"),
	}
	b, _ := json.Marshal(m)
	return b
}

// Interaction is an INTERACTION_CREATE for slash command name with string
// options, routed to the command.
func Interaction(id, name string, options map[string]string) bindings.Event {
	var opts []any
	for k, v := range options {
		opts = append(opts, map[string]any{"name": k, "type": 3, "value": v})
	}
	d := map[string]any{
		"id": id, "application_id": "777", "type": 2, "token": "itoken-" + id, "version": 1,
		"channel_id": "100", "guild_id": "200",
		"member": map[string]any{"user": map[string]any{"id": "300", "username": "alice"}},
		"data":   map[string]any{"id": "55", "name": name, "type": 1, "options": opts},
	}
	b, _ := json.Marshal(d)
	return bindings.Event{Name: "INTERACTION_CREATE", Data: b, Route: &bindings.Route{Kind: "command", Key: name}}
}

// InteractionEvent builds an INTERACTION_CREATE of type typ with data,
// routed to rt.
func InteractionEvent(id string, typ int, data map[string]any, rt *bindings.Route) bindings.Event {
	d := map[string]any{
		"id": id, "application_id": "777", "type": typ, "token": "itoken-" + id, "version": 1,
		"channel_id": "100", "guild_id": "200",
		"member": map[string]any{"user": map[string]any{"id": "300", "username": "alice"}},
		"data":   data,
	}
	if typ == 3 {
		d["message"] = map[string]any{"id": "5000", "channel_id": "100", "content": "with button"}
	}
	b, _ := json.Marshal(d)
	return bindings.Event{Name: "INTERACTION_CREATE", Data: b, Route: rt}
}

// CopyDir copies the files of src (not recursively into symlinks) to dst.
func CopyDir(t *testing.T, src, dst string, names ...string) {
	t.Helper()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(src, n))
		if os.IsNotExist(err) {
			continue // the other language's twin may not exist yet
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dst, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
