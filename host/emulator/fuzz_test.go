package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"unicode/utf8"
)

// FuzzDecodePayload feeds arbitrary client frames to the gateway decoder
// and the identify/resume decoders behind it.
func FuzzDecodePayload(f *testing.F) {
	for _, seed := range []string{
		`{"op":1,"d":null}`,
		`{"op":1,"d":42}`,
		`{"op":2,"d":{"token":"Bot x","intents":513,"properties":{"os":"linux","browser":"b","device":"d"},"shard":[0,1]}}`,
		`{"op":2,"d":{"token":"x","intents":-1,"shard":[1]}}`,
		`{"op":6,"d":{"token":"x","session_id":"abc","seq":3}}`,
		`{"op":3,"d":{"status":"idle","activities":[]}}`,
		`{"op":8,"d":{"guild_id":"1","nonce":"n"}}`,
		`{"d":null}`,
		`{"op":"1"}`,
		`[]`,
		`{"op":1e400}`,
		"\xff\xfe",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := decodePayload(data)
		if err != nil {
			return
		}
		if p.Op == nil {
			t.Fatal("decoded a payload without op")
		}
		switch *p.Op {
		case opIdentify:
			var d identifyData
			if json.Unmarshal(p.D, &d) == nil && d.Shard != nil && len(d.Shard) == 2 {
				_ = shardFor("720720", max(d.Shard[1], 0))
			}
		case opResume:
			var d resumeData
			_ = json.Unmarshal(p.D, &d)
		case opPresence:
			_ = presenceStatus(p.D)
		}
	})
}

// FuzzCommandBody checks that command validation never panics and that a
// command it accepts is accepted again unchanged (Discord echoes what it
// stored, and clients re-send the echo).
func FuzzCommandBody(f *testing.F) {
	for _, seed := range []string{
		`[{"name":"ping","description":"Ping"}]`,
		`[{"name":"User Info","type":2}]`,
		`[{"name":"a","description":"d","options":[{"type":1,"name":"s","description":"d","options":[{"type":3,"name":"t","description":"d","required":true,"choices":[{"name":"x","value":"x"}]}]}]}]`,
		`[{"name":"a","description":"d","options":[{"type":4,"name":"n","description":"d","min_value":1,"max_value":5,"required":false}]}]`,
		`[{"name":"Bad","description":"d"}]`,
		`[{"name":"a","description":"d","type":1.5}]`,
		`[{"name":"a","description":"d","options":{}}]`,
		`[{"name":"a","description":"d","options":[1]}]`,
		`[null]`,
		`{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var in []map[string]any
		if json.Unmarshal(data, &in) != nil {
			return
		}
		for _, c := range in {
			if c == nil {
				continue
			}
			norm, errs := normalizeCommand(c)
			if errs != nil {
				if norm != nil {
					t.Fatal("both a command and errors")
				}
				if _, err := json.Marshal(errs); err != nil {
					t.Fatalf("errors do not marshal: %v", err)
				}
				continue
			}
			first := mustJSON(norm)
			again, errs := normalizeCommand(roundTrip(norm))
			if errs != nil {
				t.Fatalf("accepted %s, then refused its echo: %v", first, errs)
			}
			if second := mustJSON(again); !bytes.Equal(first, second) {
				t.Fatalf("not idempotent:\n%s\n%s", first, second)
			}
		}
	})
}

// FuzzMessageBody decodes arbitrary REST bodies as message create/edit
// requests and checks the limits validation promises.
func FuzzMessageBody(f *testing.F) {
	for _, seed := range []string{
		`{"content":"hi"}`,
		`{"content":"","embeds":[{"title":"t"}]}`,
		`{"content":null}`,
		`{"content":"x","message_reference":{"message_id":"1","fail_if_not_exists":false}}`,
		`{"content":"x","flags":64,"nonce":123,"tts":true}`,
		`{"embeds":[{},{},{},{},{},{},{},{},{},{},{}]}`,
		`[]`,
		``,
		`{"content":"\ud800"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, _ := http.NewRequest("POST", "http://127.0.0.1/channels/1/messages", bytes.NewReader(data))
		r.Header.Set("Content-Type", "application/json")
		var b messageBody
		if err := decodeBody(r, &b); err != nil {
			if err != errInvalidJSON {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if e := b.validate(true); e == nil {
			if b.Content != nil && utf8.RuneCountInString(*b.Content) > 2000 || len(b.Embeds) > 10 || len(b.Components) > 5 {
				t.Fatal("validate accepted a body over Discord's limits")
			}
			if (b.Content == nil || *b.Content == "") && len(b.Embeds) == 0 && len(b.Components) == 0 && len(b.Attachments) == 0 && len(b.StickerIDs) == 0 && len(b.Poll) == 0 {
				t.Fatal("validate accepted an empty message")
			}
		} else if e.status != 400 {
			t.Fatalf("validation status %d", e.status)
		}
	})
}
