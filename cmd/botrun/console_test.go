package main

import (
	"encoding/json"
	"testing"
)

// TestConsoleWaitsForInjectedIDs checks the end-of-input bookkeeping: a
// typed line counts as received when the bot got its event (before or
// after the injection returned) or answered it, and only the test user's
// messages count.
func TestConsoleWaitsForInjectedIDs(t *testing.T) {
	msg := func(id, author string) json.RawMessage {
		b, _ := json.Marshal(map[string]any{"id": id, "author": map[string]any{"id": author}})
		return b
	}
	type step struct {
		do          string // inject, event, interaction, answer
		id, author  string
		wantWaiting int
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"event after injection", []step{{"inject", "m1", "", 1}, {"event", "m1", "tester", 0}}},
		{"event before injection returned", []step{{"event", "m1", "tester", 0}, {"inject", "m1", "", 0}}},
		{"the bot's own message does not count", []step{{"inject", "m1", "", 1}, {"event", "m1", "bot", 1}}},
		{"interaction", []step{{"inject", "i1", "", 1}, {"interaction", "i1", "", 0}}},
		{"usage reply", []step{{"inject", "m1", "", 1}, {"answer", "m1", "", 0}}},
		{"reply to something else", []step{{"inject", "m1", "", 1}, {"answer", "m0", "", 1}}},
		{"two lines", []step{{"inject", "m1", "", 1}, {"inject", "m2", "", 2}, {"event", "m2", "tester", 1}, {"event", "m1", "tester", 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &console{tester: "tester", waiting: map[string]bool{}, early: map[string]bool{}, changed: make(chan struct{})}
			for i, s := range tc.steps {
				switch s.do {
				case "inject":
					c.injected(s.id)
				case "event":
					c.dispatched("MESSAGE_CREATE", msg(s.id, s.author))
				case "interaction":
					c.dispatched("INTERACTION_CREATE", msg(s.id, ""))
				case "answer":
					c.answered(s.id)
				}
				if got := len(c.waiting); got != s.wantWaiting {
					t.Fatalf("after step %d (%s %s): %d waiting, want %d", i, s.do, s.id, got, s.wantWaiting)
				}
			}
		})
	}
}
