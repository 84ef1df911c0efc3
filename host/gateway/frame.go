package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Opcodes (Discord gateway v10).
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opPresenceUpdate = 3
	opResume         = 6
	opReconnect      = 7
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatACK   = 11
)

// maxSend is the largest payload Discord accepts from a client.
const maxSend = 4096

// ErrPayloadTooLarge is returned for an outbound payload over 4096 bytes,
// which Discord would answer by closing the connection (4002).
var ErrPayloadTooLarge = errors.New("gateway payload exceeds 4096 bytes")

// frame is one decoded gateway payload.
type frame struct {
	Op  int             `json:"op"`
	D   json.RawMessage `json:"d"`
	S   *int64          `json:"s"`
	T   string          `json:"t"`
	has bool            // op was present
}

// decodeFrame parses one gateway payload. It rejects anything that is not a
// JSON object with a numeric op. d is handed on as a sub-slice of data, so
// data must not change afterwards.
func decodeFrame(data []byte) (frame, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return frame{}, errors.New("decode frame: not a JSON object")
	}
	f, ok := scanFrame(data)
	if !ok {
		return decodeFrameJSON(data)
	}
	return checkFrame(f)
}

// decodeFrameJSON decodes what scanFrame leaves alone (and any malformed
// payload, for encoding/json's error message).
func decodeFrameJSON(data []byte) (frame, error) {
	var raw struct {
		Op *int            `json:"op"`
		D  json.RawMessage `json:"d"`
		S  *int64          `json:"s"`
		T  *string         `json:"t"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return frame{}, fmt.Errorf("decode frame: %w", err)
	}
	if raw.Op == nil {
		return frame{}, errors.New("decode frame: missing op")
	}
	f := frame{Op: *raw.Op, D: raw.D, S: raw.S, has: true}
	if raw.T != nil {
		f.T = *raw.T
	}
	return checkFrame(f)
}

func checkFrame(f frame) (frame, error) {
	if f.Op == opDispatch && f.T == "" {
		return frame{}, errors.New("decode frame: dispatch without t")
	}
	if f.S != nil && *f.S < 0 {
		return frame{}, errors.New("decode frame: negative s")
	}
	return f, nil
}

// encodeFrame builds an outbound payload and enforces the size limit.
func encodeFrame(op int, d any) ([]byte, error) {
	b, err := json.Marshal(struct {
		Op int `json:"op"`
		D  any `json:"d"`
	}{op, d})
	if err != nil {
		return nil, fmt.Errorf("encode op %d: %w", op, err)
	}
	if len(b) > maxSend {
		return nil, fmt.Errorf("op %d (%d bytes): %w", op, len(b), ErrPayloadTooLarge)
	}
	return b, nil
}
