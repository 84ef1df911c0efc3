package bindings

import (
	"encoding/json"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func addExtrasSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/extras/*.json")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"type":2,"data":{"options":[{"type":2,"options":[{"type":1,"options":[{"type":2}]}]}]}}`))
	f.Add([]byte(`{"type":5,"data":{"components":[{"component":{"component":{"custom_id":"x","value":"v"}}}]}}`))
	f.Add([]byte(`{"data":{"resolved":{"members":{"1":null},"users":{"1":{}}}}}`))
}

// FuzzEventExtras: any input yields extras that are valid boundary values
// (encodable as JSON) and never panics.
func FuzzEventExtras(f *testing.F) {
	addExtrasSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		ex := EventExtras(KindInteraction, data)
		if _, err := encodeJSON(ex, 1<<30); err != nil && !strings.Contains(err.Error(), "nested") {
			t.Fatalf("extras of %q are not encodable: %v", data, err)
		}
	})
}

// FuzzMessageBody: a JSON object passed as a message converts to a map
// whose encoding decodes to the same value.
func FuzzMessageBody(f *testing.F) {
	f.Add([]byte(`{"content":"hi","embeds":[{"title":"t","fields":[{"name":"a","value":"b"}]}]}`))
	f.Add([]byte(`{"content":"\u00e9\ud83d\ude00","n":1e400}`))
	f.Add([]byte(`{"a":{"b":{"c":[1,2.5,-0,true,null]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := asMap(json.RawMessage(data))
		if !ok {
			return
		}
		enc, err := encodeJSON(m, 1<<30)
		if err != nil {
			return // too deep, or numbers Go cannot hold
		}
		var a, b any
		if err := json.Unmarshal(enc, &a); err != nil {
			t.Fatalf("encoding %s of %s is not JSON: %v", enc, data, err)
		}
		json.Unmarshal(data, &b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip of %s gave %s", data, enc)
		}
	})
}

// FuzzCheckPath: an accepted path, joined to the API base the way an HTTP
// client would, stays on the API host and under the API prefix.
func FuzzCheckPath(f *testing.F) {
	for _, s := range []string{"/channels/1", "/../x", "/%2e%2e/x", "//h/x", "/a?b=../c", "/a/%2F..%2F", "/@me", "/a\\b"} {
		f.Add(s)
	}
	const base = "https://discord.com/api/v10"
	f.Fuzz(func(t *testing.T, p string) {
		if checkPath("discord.get", p) != nil {
			return
		}
		u, err := url.Parse(base + p)
		if err != nil {
			return // the HTTP client would refuse it too
		}
		if u.Host != "discord.com" || u.User != nil {
			t.Fatalf("accepted %q reaches host %q", p, u.Host)
		}
		if clean := path.Clean(u.Path); !strings.HasPrefix(clean+"/", "/api/v10/") {
			t.Fatalf("accepted %q escapes the API prefix: %q", p, clean)
		}
	})
}

// FuzzJSONString: the encoder's strings decode to what encoding/json's
// encoding of the same Go string decodes to.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "<a & b>", "quote\" back\\slash", "\n\r\t\x00\x1f\x7f", "\u2028\u2029", "\xff\xfeok", "é😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ours, err := encodeJSON(s, 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		theirs, _ := json.Marshal(s)
		var a, b string
		if err := json.Unmarshal(ours, &a); err != nil {
			t.Fatalf("encoding %q gave invalid JSON %s: %v", s, ours, err)
		}
		json.Unmarshal(theirs, &b)
		if a != b {
			t.Fatalf("%q: ours decodes to %q, encoding/json's to %q", s, a, b)
		}
	})
}
