package bindings

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestEventExtrasGolden computes the extras of recorded interaction
// payloads and compares them with testdata/extras/*.golden.
func TestEventExtrasGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/extras/*.json")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			enc, err := encodeJSON(EventExtras(KindInteraction, data), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := json.Indent(&got, enc, "", "  "); err != nil {
				t.Fatal(err)
			}
			got.WriteByte('\n')
			golden := strings.TrimSuffix(in, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("extras of %s:\n%s\nwant:\n%s", in, got.Bytes(), want)
			}
		})
	}
}

func TestEventExtrasValues(t *testing.T) {
	data, err := os.ReadFile("testdata/extras/slash_dm.json")
	if err != nil {
		t.Fatal(err)
	}
	opts := EventExtras(KindInteraction, data)["options"].(map[string]any)
	// Integers arrive as int64, exact beyond 2^53; other numbers float64.
	if opts["sides"] != int64(20) || opts["bonus"] != 1.5 || opts["public"] != true || opts["big"] != int64(9007199254740993) {
		t.Errorf("options = %#v", opts)
	}
}

func TestEventExtrasOtherKinds(t *testing.T) {
	msg := json.RawMessage(`{"id":"1","channel_id":"2","content":"x"}`)
	if got := EventExtras(KindMessage, msg); got != nil {
		t.Errorf("message extras = %v, want nil", got)
	}
	for _, bad := range []string{``, `nope`, `[1,2]`, `{"data":5}`, `null`} {
		if got := EventExtras(KindInteraction, json.RawMessage(bad)); got != nil && len(got) != 0 {
			t.Errorf("EventExtras(%q) = %v, want nothing", bad, got)
		}
	}
}

func BenchmarkEventExtras(b *testing.B) {
	for _, name := range []string{"slash_dm", "slash_group", "modal"} {
		b.Run(name, func(b *testing.B) {
			data, err := os.ReadFile("testdata/extras/" + name + ".json")
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				EventExtras(KindInteraction, data)
			}
		})
	}
}
