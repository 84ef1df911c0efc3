package jsondoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
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
			checkDeepError(t, data, se)
			return
		}
		if got := toAny(d.Root()); !reflect.DeepEqual(got, want) {
			t.Fatalf("Parse(%q) = %#v, encoding/json = %#v", data, got, want)
		}
		if raw := d.Root().Raw(); !bytes.Equal(raw, bytes.TrimSpace(data)) {
			t.Fatalf("Raw = %q, want %q", raw, bytes.TrimSpace(data))
		}
		checkNested(t, d.Root(), 0)
		checkScanned(t, data, want, nil, 0)

		// ParseCopy gives the same document, and it stays the same when
		// the caller overwrites its buffer.
		buf := bytes.Clone(data)
		c, err := ParseCopy(buf)
		if err != nil {
			t.Fatalf("ParseCopy(%q): %v; Parse accepted it", data, err)
		}
		for i := range buf {
			buf[i] = 'x'
		}
		if got := toAny(c.Root()); !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseCopy(%q) after the buffer was overwritten = %#v, want %#v", data, got, want)
		}
		if raw := c.Root().Raw(); !bytes.Equal(raw, bytes.TrimSpace(data)) {
			t.Fatalf("ParseCopy Raw = %q, want %q", raw, bytes.TrimSpace(data))
		}
	})
}

// checkScanned follows every path of keys and indexes to an object's
// field, each in a fresh Doc, so that Get reads objects that have no tape
// yet (see scanGet) at every level, and checks what it finds.
func checkScanned(t *testing.T, data []byte, want any, path []any, depth int) {
	if depth > 6 {
		return
	}
	switch w := want.(type) {
	case map[string]any:
		for k, wv := range w {
			p := append(path[:len(path):len(path)], k)
			d, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			v := d.Root()
			for _, step := range p {
				switch s := step.(type) {
				case string:
					var ok bool
					if v, ok = v.Get(s); !ok {
						t.Fatalf("%q: Get(%q) on the path %v found nothing", data, s, p)
					}
				case int:
					v = v.Index(s)
				}
			}
			if raw, err := stdDecode(v.Raw()); err != nil || !reflect.DeepEqual(raw, wv) {
				t.Fatalf("%q: path %v: Raw %q decodes to %#v, %v; want %#v", data, p, v.Raw(), raw, err, wv)
			}
			if got := toAny(v); !reflect.DeepEqual(got, wv) {
				t.Fatalf("%q: path %v = %#v, want %#v", data, p, got, wv)
			}
			checkScanned(t, data, wv, p, depth+1)
		}
	case []any:
		for i, wv := range w {
			checkScanned(t, data, wv, append(path[:len(path):len(path)], i), depth+1)
		}
	}
}

// checkDeepError checks that a value nested two levels deep, which Parse
// checks without indexing it, fails with the same error as at the top,
// where it is indexed: only the offset moves.
func checkDeepError(t *testing.T, data []byte, se *SyntaxError) {
	if se.Offset == len(data) || strings.Contains(se.Msg, "after top-level value") {
		return // the wrapping changes what follows the value
	}
	wrapped := append(append([]byte("[[0,"), data...), "]]"...)
	_, err := Parse(wrapped)
	if errors.Is(err, ErrTooDeep) {
		return // two more levels were too many
	}
	var we *SyntaxError
	if !errors.As(err, &we) || we.Offset != se.Offset+4 || we.Msg != se.Msg {
		t.Fatalf("Parse(%q) = %v, but nested two deep: %v", data, se, err)
	}
}

// checkNested checks every value below v: its Raw text decodes (with
// encoding/json) to what the Doc gives, and Get finds each field's value.
func checkNested(t *testing.T, v Value, depth int) {
	if depth > 64 {
		return
	}
	want, err := stdDecode(v.Raw())
	if err != nil {
		t.Fatalf("Raw %q of a %s does not parse: %v", v.Raw(), v.Kind(), err)
	}
	if got := toAny(v); !reflect.DeepEqual(got, want) {
		t.Fatalf("Raw %q decodes to %#v, the Doc gives %#v", v.Raw(), want, got)
	}
	switch v.Kind() {
	case Array:
		for i := range v.Len() {
			checkNested(t, v.Index(i), depth+1)
		}
	case Object:
		m := want.(map[string]any)
		for i := range v.Len() {
			k, fv := v.Field(i)
			// the last of repeated keys wins, in both
			if g, ok := v.Get(k); !ok || !reflect.DeepEqual(toAny(g), m[k]) {
				t.Fatalf("Get(%q) in %q = %v, %v; want %#v", k, v.Raw(), g.Raw(), ok, m[k])
			}
			checkNested(t, fv, depth+1)
		}
	}
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
