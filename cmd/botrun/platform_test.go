package main

import (
	"encoding/json"
	"testing"
)

func TestMessageBody(t *testing.T) {
	for _, tt := range []struct {
		in   map[string]any
		want string
	}{
		{map[string]any{"content": "hi"}, `{"content":"hi"}`},
		{map[string]any{"content": "hi", "ephemeral": true}, `{"content":"hi","flags":64}`},
		{map[string]any{"content": "hi", "ephemeral": true, "flags": int64(4)}, `{"content":"hi","flags":68}`},
		{map[string]any{"content": "hi", "ephemeral": false}, `{"content":"hi"}`},
		{nil, `{}`},
	} {
		in, _ := json.Marshal(tt.in)
		got, _ := json.Marshal(messageBody(tt.in))
		if string(got) != tt.want {
			t.Errorf("%s → %s, want %s", in, got, tt.want)
		}
	}
	orig := map[string]any{"ephemeral": true}
	messageBody(orig)
	if _, ok := orig["ephemeral"]; !ok {
		t.Error("messageBody modified its argument")
	}
}
