package uncord

import (
	"encoding/json"
	"testing"
)

var benchMsg = json.RawMessage(`{"attachments":[],"author":{"avatar_key":null,"display_name":null,"id":"6654d65f-2d32-4b26-ad63-7113db4e2763","username":"owner"},` +
	`"channel_id":"7d716c10-24c1-4d35-9420-70db1f3580c2","content":"!ping hello bot","created_at":"2026-11-23T08:46:57Z","edited_at":null,` +
	`"encrypted":false,"id":"43f044d3-ede4-49e5-a8fd-2fcfee1b571a","pinned":false,"reactions":[],"reply_to_id":null}`)

// BenchmarkDeliverPlainMessage is the per-message cost botrun adds on
// Uncord for an ordinary message: normalisation and the command check.
func BenchmarkDeliverPlainMessage(b *testing.B) {
	c := testCommands(&testing.T{})
	for b.Loop() {
		d := Normalize("MESSAGE_CREATE", benchMsg, "00000000-0000-4000-8000-000000000000")
		if _, ok := c.Match(d, "00000000-0000-4000-8000-000000000000"); ok {
			b.Fatal("matched")
		}
	}
}

func BenchmarkTextCommand(b *testing.B) {
	c := testCommands(&testing.T{})
	msg := msgJSON("/config set key:greeting value:Hello there", "u")
	for b.Loop() {
		if inv, ok := c.Match(msg, ""); !ok || inv.Usage != "" {
			b.Fatal(inv.Usage)
		}
	}
}
