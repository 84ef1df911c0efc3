package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestDecodeFrame(t *testing.T) {
	tests := []struct {
		in      string
		op      int
		t       string
		s       int64 // -1 for null
		wantErr bool
	}{
		{`{"op":10,"d":{"heartbeat_interval":45000},"s":null,"t":null}`, 10, "", -1, false},
		{`{"op":0,"d":{},"s":42,"t":"MESSAGE_CREATE"}`, 0, "MESSAGE_CREATE", 42, false},
		{` {"op":11} `, 11, "", -1, false},
		{`{"op":99,"d":1}`, 99, "", -1, false}, // unknown op decodes; the shard logs it
		{`{"op":0,"d":{},"s":1}`, 0, "", 0, true},
		{`{"d":{}}`, 0, "", 0, true},
		{`[1,2]`, 0, "", 0, true},
		{`{"op":"x"}`, 0, "", 0, true},
		{`{"op":0,"s":-5,"t":"X"}`, 0, "", 0, true},
		{``, 0, "", 0, true},
	}
	for _, tt := range tests {
		f, err := decodeFrame([]byte(tt.in))
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err %v", tt.in, err)
			continue
		}
		if err != nil {
			continue
		}
		s := int64(-1)
		if f.S != nil {
			s = *f.S
		}
		if f.Op != tt.op || f.T != tt.t || s != tt.s {
			t.Errorf("%s: got op %d t %q s %d", tt.in, f.Op, f.T, s)
		}
	}
}

func TestEncodeFrameLimit(t *testing.T) {
	b, err := encodeFrame(opHeartbeat, nil)
	if err != nil || string(b) != `{"op":1,"d":null}` {
		t.Fatalf("%s %v", b, err)
	}
	_, err = encodeFrame(opPresenceUpdate, map[string]string{"x": strings.Repeat("y", 5000)})
	if !errors.Is(err, ErrPayloadTooLarge) {
		t.Fatalf("want ErrPayloadTooLarge, got %v", err)
	}
}

// scanSeeds are payloads where the fast scanner and encoding/json could
// disagree if the scanner were careless; each must decode identically.
var scanSeeds = []string{
	`{"op":10,"d":{"heartbeat_interval":45000},"s":null,"t":null}`,
	`{"op":0,"d":{"v":10,"session_id":"x"},"s":1,"t":"READY"}`,
	`{"op":9,"d":false}`, `{"op":7,"d":null}`, `{"op":11}`, `{}`, `{"op":1e400}`,
	`{"op":1e0}`, `{"op":1.0}`, `{"op":-0}`, `{"op":01}`, `{"op":null}`, `{"op":1,"op":null}`,
	`{"op":1,"op":2}`, `{"OP":1}`, `{"Op":0,"T":"X"}`, `{"\u006fp":1}`, `{"op":0,"t":"A\u0042"}`,
	`{"op":0,"t":"\u00e9"}`, "{\"op\":0,\"t\":\"\xff\"}", "{\"\u017f\":1,\"op\":2}", "{\"op\":1,\"\u212a\":2}",
	`{"op":0,"t":"X","s":null,"s":3}`, `{"op":0,"t":"X","d":1,"d":2}`, `{"op":0,"t":"","s":1}`,
	`{"op":1,"d":[1,2,{"a":[true,false,null,"x\"y"]}]}`, `{"op":1,"d":[1,]}`, `{"op":1,"d":{"a":1,}}`,
	`{"op":1,"d":{"a" 1}}`, `{"op":1,"d":"\x"}`, `{"op":1,"d":"\u12"}`, "{\"op\":1,\"d\":\"a\nb\"}",
	`{"op":1,"d":-}`, `{"op":1,"d":1.}`, `{"op":1,"d":1e}`, `{"op":1,"d":-01}`, `{"op":1,"d":tru}`,
	`{"op":1} x`, `{"op":1}}`, `{"op":1,}`, `{"op":1 "s":2}`, `{"op":99999999999999999999}`,
	`{"op":123456789012345678}`, `{"op":1,"s":1234567890123456789}`, `{ "op" : 2 , "d" : { } , "s" : 5 , "t" : "GUILD_CREATE" }`,
	`{"op":1,"x":{"op":5}}`, `{"op":"1"}`, `{"op":1,"t":5}`, `{"op":1,"s":"5"}`, `{"op":1,"s":1.5}`,
	`{"op":1,"d":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`,
	`{"op":1,"d":` + strings.Repeat(`{"a":`, 70) + "1" + strings.Repeat("}", 70) + `}`,
	`{"op":1,"d":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
	"{\"op\":1,\"d\":\"\x01\"}", `{"op":1,"d":"\ud800"}`,
	// d last after op, s and t, as Discord writes dispatches
	`{"t":"X","s":1,"op":0,"d":{"a":[1,{"b":"}"}]}}`, `{"t":"X","s":1,"op":0,"d":{} }`, "{\"t\":\"X\",\"s\":1,\"op\":0,\"d\":{\"a\":1}\n\t}",
	`{"t":"X","s":1,"op":0,"d":{"a":}}`, `{"t":"X","s":1,"op":0,"d":{"a":1},"x":{}}`, `{"t":"X","s":1,"op":0,"d":{"a":1},"op":3,"e":{}}`,
	`{"t":"X","s":1,"op":0,"d":{"a":1}}}`, `{"t":"X","s":1,"op":0,"d":{"a":1}`, `{"t":"X","s":1,"op":0,"d":{}`, `{"t":"X","s":1,"op":0,"d":{`,
	`{"t":"X","s":1,"op":0,"d":[1]}`, `{"t":"X","s":1,"op":0,"d":null}`, `{"t":"X","s":1,"op":1,"d":{"a":}}`, `{"t":"X","op":0,"d":{"a":1},"s":2}`,
}

// sameFrame compares decodeFrame with the encoding/json path.
func sameFrame(data []byte) error {
	got, gerr := decodeFrame(data)
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		if gerr == nil {
			return fmt.Errorf("accepted a non-object")
		}
		return nil
	}
	want, werr := decodeFrameJSON(trimmed)
	if gerr == nil && got.Op == opDispatch && (werr != nil || !bytes.Equal(got.D, want.D)) {
		// A d after op, s and t is taken to the end of the frame without
		// a walk; the only difference allowed is data that the host's
		// parser then rejects.
		if json.Valid(got.D) {
			return fmt.Errorf("d %q taken as valid data, encoding/json gives %+v (d %q), %v", got.D, want, want.D, werr)
		}
		if werr == nil && !bytes.HasPrefix(got.D, want.D) {
			return fmt.Errorf("d %q does not start with encoding/json's %q", got.D, want.D)
		}
		return nil
	}
	if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
		return fmt.Errorf("error %v, encoding/json says %v", gerr, werr)
	}
	if gerr != nil {
		return nil
	}
	if got.Op != want.Op || got.T != want.T || got.has != want.has || !bytes.Equal(got.D, want.D) || (got.D == nil) != (want.D == nil) ||
		(got.S == nil) != (want.S == nil) || got.S != nil && *got.S != *want.S {
		return fmt.Errorf("got %+v (d %q), encoding/json gives %+v (d %q)", got, got.D, want, want.D)
	}
	return nil
}

func TestDecodeFrameMatchesEncodingJSON(t *testing.T) {
	for _, s := range scanSeeds {
		if err := sameFrame([]byte(s)); err != nil {
			t.Errorf("%.80s: %v", s, err)
		}
	}
}

// The fast path must take Discord's own payloads, and hand d on without
// copying it.
func TestScanFrameFastPath(t *testing.T) {
	for _, s := range []string{
		`{"op":10,"d":{"heartbeat_interval":45000},"s":null,"t":null}`,
		`{"t":"MESSAGE_CREATE","s":42,"op":0,"d":{"content":"a\"b\u00e9","n":[1.5e3,-2,true,null]}}`,
		`{"t":null,"s":null,"op":11,"d":null}`,
		`{"op":9,"d":false}`,
		`{"t":"MESSAGE_CREATE","s":7,"op":0,"d":{"content":"}"} }`,
	} {
		data := []byte(s)
		f, ok := scanFrame(data)
		if !ok {
			t.Errorf("%s: not taken by the fast path", s)
			continue
		}
		if len(f.D) > 0 && &f.D[0] != &data[strings.Index(s, `"d":`)+4] {
			t.Errorf("%s: d was copied", s)
		}
		if err := sameFrame(data); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	// d after op, s and t is not walked: its syntax is the host's parser's
	// to check
	if f, err := decodeFrame([]byte(`{"t":"X","s":1,"op":0,"d":{"a":}}`)); err != nil || string(f.D) != `{"a":}` || f.T != "X" || *f.S != 1 {
		t.Errorf("d last: %+v (d %q), %v; want d handed on as it is", f, f.D, err)
	}
	msg := []byte(benchMsg)
	if n := testing.AllocsPerRun(100, func() { decodeFrame(msg) }); n > 1 {
		t.Errorf("decodeFrame allocates %v times per MESSAGE_CREATE, want at most 1 (s)", n)
	}
}

func FuzzDecodeFrame(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := sameFrame(data); err != nil {
			t.Fatal(err)
		}
		fr, err := decodeFrame(data)
		if err != nil {
			return
		}
		if !fr.has || (fr.Op == opDispatch && fr.T == "") || (fr.S != nil && *fr.S < 0) {
			t.Fatalf("invalid frame accepted: %+v", fr)
		}
	})
}

func TestPlainRun(t *testing.T) {
	for _, tt := range []struct {
		in   string
		from int
		want int
	}{
		{``, 0, 0},
		{`abc`, 0, 3},
		{`abcdefghijklmnop"`, 0, 16},
		{`abcdefgh"`, 0, 8},
		{`abcdefg"ijklmnop`, 0, 7},
		{`a"cdefghijklmnop`, 2, 16},
		{"abcdefghij\\klmno", 0, 10},
		{"abcdefghijklm\x1fop", 0, 13},
		{"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\x7f\xff", 0, 18},
		{"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\"", 0, 8},
		{"        \x00", 0, 8},
		{"!#[]~ ab\x20", 0, 9},
	} {
		if got := plainRun([]byte(tt.in), tt.from); got != tt.want {
			t.Errorf("plainRun(%q, %d) = %d, want %d", tt.in, tt.from, got, tt.want)
		}
	}
}
