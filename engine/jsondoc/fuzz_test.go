package jsondoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"reflect"
	"testing"
)

type jsonNumber = json.Number

// FuzzParse checks Parse against encoding/json: both accept or both reject,
// and accepted documents decode to equal values and keep their raw text.
func FuzzParse(f *testing.F) {
	if src, err := os.ReadFile("testdata/message_create.json"); err == nil {
		f.Add(src)
	}
	for _, s := range []string{`{"a":[1,2.5e3,"x\u00e9\ud83d\ude00"],"b":null,"c":true}`, `"\ud800\u0041"`, `[-0, 1E+2]`, "\"\xff\"", `{"a":1,"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if errors.Is(err, ErrTooDeep) {
			return // encoding/json allows deeper nesting
		}
		want, werr := stdDecode(data)
		if (err == nil) != (werr == nil) {
			t.Fatalf("Parse(%q): err %v; encoding/json: err %v", data, err, werr)
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(data) {
				t.Fatalf("Parse(%q): bad error %v", data, err)
			}
			return
		}
		if got := toAny(d.Root()); !reflect.DeepEqual(got, want) {
			t.Fatalf("Parse(%q) = %#v, encoding/json = %#v", data, got, want)
		}
		if raw := d.Root().Raw(); !bytes.Equal(raw, bytes.TrimSpace(data)) {
			t.Fatalf("Raw = %q, want %q", raw, bytes.TrimSpace(data))
		}
	})
}

func stdDecode(data []byte) (any, error) {
	if !json.Valid(data) {
		return nil, errors.New("invalid")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data")
	}
	return v, nil
}
