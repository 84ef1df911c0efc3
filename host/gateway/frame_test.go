package gateway

import (
	"errors"
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

func FuzzDecodeFrame(f *testing.F) {
	for _, s := range []string{
		`{"op":10,"d":{"heartbeat_interval":45000},"s":null,"t":null}`,
		`{"op":0,"d":{"v":10,"session_id":"x"},"s":1,"t":"READY"}`,
		`{"op":9,"d":false}`, `{"op":7,"d":null}`, `{"op":11}`, `{}`, `{"op":1e400}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := decodeFrame(data)
		if err != nil {
			return
		}
		if !fr.has || (fr.Op == opDispatch && fr.T == "") || (fr.S != nil && *fr.S < 0) {
			t.Fatalf("invalid frame accepted: %+v", fr)
		}
	})
}
