package js

import (
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"reflect"
	"testing"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/jsondoc"
)

// FuzzConvert checks both directions of value conversion on arbitrary
// JSON: the lazy view stringifies to the same value as the document, and
// a plain JS copy converts back to Go equal to the direct conversion.
func FuzzConvert(f *testing.F) {
	seed, _ := os.ReadFile("testdata/message_create.json")
	for _, s := range []string{string(seed), `null`, `[]`, `{}`, `[1,-2.5,"x",true,null,{"a":[{}]}]`,
		`{"big":123456789012345678901234,"neg":-9007199254740993,"e":1e300,"u":"\u00e9\ud83d\ude00"}`, `"str"`, `0`} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	os.WriteFile(dir+"/f.js", []byte(""), 0o644)
	e := New(engine.Limits{}).(*jsEngine)
	bs := &bindings.Script{Name: "f", Path: "f.js", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Reg: bindings.NewRegistry(nil)}
	s, err := e.newScript(engine.Unit{Name: "f", Path: "f.js", Dir: dir, Lang: "js"}, bs)
	if err != nil {
		f.Fatal(err)
	}
	stringify, _ := assertFn(s, "JSON.stringify")
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := jsondoc.Parse(data)
		if err != nil {
			return
		}
		budget := 1 << 30
		want, err := docToGo(doc.Root(), 0, &budget)
		if err != nil {
			return // nested too deeply: refused, fine
		}
		// Lazy view → JSON text → Go must equal the direct conversion.
		view := s.view(doc.Root())
		out, err := stringify(nil, view)
		if err != nil {
			t.Fatalf("stringify view: %v", err)
		}
		if out != nil && out.String() != "undefined" {
			var back any
			if err := json.Unmarshal([]byte(out.String()), &back); err != nil {
				t.Fatalf("view stringified to invalid JSON %q: %v", out.String(), err)
			}
			if !reflect.DeepEqual(normalize(back), normalize(want)) {
				t.Fatalf("view of %s\n got  %#v\n want %#v", data, back, want)
			}
		}
		// Plain copy (binding result path) → back to Go.
		b2 := 1 << 30
		got, err := s.fromJS(s.toJS(json.RawMessage(data)), 0, &b2)
		if err != nil {
			t.Fatalf("fromJS: %v", err)
		}
		if !reflect.DeepEqual(normalize(got), normalize(want)) {
			t.Fatalf("round trip of %s\n got  %#v\n want %#v", data, got, want)
		}
	})
}

// normalize maps numbers to float64 so int64/float64 and JSON decoding
// compare by value.
func normalize(v any) any {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	}
	return v
}

func assertFn(s *script, dotted string) (func(this goja_Value, args ...goja_Value) (goja_Value, error), bool) {
	v, err := s.vm.RunString(dotted)
	if err != nil {
		return nil, false
	}
	return assertCallable(v)
}
