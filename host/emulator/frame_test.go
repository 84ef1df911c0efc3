package emulator

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestDispatchFrameMatchesMarshal checks that the appended envelope is the
// bytes json.Marshal gives for the same event, so clients see no change.
func TestDispatchFrameMatchesMarshal(t *testing.T) {
	tests := []struct {
		name string
		data json.RawMessage
		seq  int64
	}{
		{"MESSAGE_CREATE", mustJSON(map[string]any{"content": "<@1> & \u2028 \"q\"", "id": "12"}), 1},
		{"READY", json.RawMessage(`{"_trace":["botrun-emulator"]}`), 1 << 40},
		{"GUILD_CREATE", mustJSON([]int{1, 2}), 0},
		{"odd name\"<", mustJSON("x"), 7}, // not a Discord name: falls back
		{"MESSAGE_CREATE", nil, 3},        // no data: falls back ("d":null)
	}
	for _, tt := range tests {
		want, err := json.Marshal(struct {
			T  string          `json:"t"`
			S  int64           `json:"s"`
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}{tt.name, tt.seq, 0, tt.data})
		if err != nil {
			t.Fatal(err)
		}
		if got := dispatchFrame(tt.name, tt.data, tt.seq); !bytes.Equal(got, want) {
			t.Errorf("dispatchFrame(%q) = %s, want %s", tt.name, got, want)
		}
	}
}
