package js

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/botrun/botrun/bindings"
)

// recordingInteractions is a bindings.Interactions that records responses.
type recordingInteractions struct {
	mu   sync.Mutex // guards got
	got  []string
	seen chan struct{}
}

func (r *recordingInteractions) Respond(_ context.Context, ix bindings.InteractionRef, kind bindings.ResponseKind, data map[string]any) (json.RawMessage, error) {
	b, _ := json.Marshal(data)
	r.mu.Lock()
	r.got = append(r.got, string(b))
	r.mu.Unlock()
	r.seen <- struct{}{}
	return nil, nil
}
func (r *recordingInteractions) Followup(context.Context, bindings.InteractionRef, map[string]any) (json.RawMessage, error) {
	return nil, nil
}
func (r *recordingInteractions) EditOriginal(context.Context, bindings.InteractionRef, map[string]any) (json.RawMessage, error) {
	return nil, nil
}
func (r *recordingInteractions) DeleteOriginal(context.Context, bindings.InteractionRef) error {
	return nil
}

// TestAutocompleteAnswers covers the three ways an autocomplete handler
// answers: returning choices, returning a Promise of them, or calling
// ix.respond itself (and returning nothing) — exactly one response each.
func TestAutocompleteAnswers(t *testing.T) {
	rec := &recordingInteractions{seen: make(chan struct{}, 10)}
	dir := writeBot(t, map[string]string{"ac.js": `
autocomplete("a", "o", (ix) => [{ name: "ret", value: "1" }])
autocomplete("b", "o", async (ix) => { await null; return [{ name: "promise", value: "2" }] })
autocomplete("c", "o", async (ix) => { await ix.respond([{ name: "self", value: "3" }]) })
on("DONE", () => log.info("done"))
`})
	s := loadScript(t, dir, "ac.js", loadOpts{host: &bindings.Host{Interactions: rec}})
	for _, cmd := range []string{"a", "b", "c"} {
		s.deliverEvent(t, bindings.Event{Name: "INTERACTION_CREATE",
			Data:  json.RawMessage(`{"id":"1","token":"t","type":4,"application_id":"9","data":{"name":"` + cmd + `","options":[{"name":"o","type":3,"value":"x","focused":true}]}}`),
			Route: &bindings.Route{Kind: "autocomplete", Key: cmd, Option: "o"}})
	}
	s.deliver(t, "DONE", `{}`)
	s.log.wait(t, "done")
	for range 3 {
		select {
		case <-rec.seen:
		case <-time.After(waitLimit):
			t.Fatal("timed out waiting for autocomplete responses")
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	want := map[string]bool{
		`{"choices":[{"name":"ret","value":"1"}]}`:     true,
		`{"choices":[{"name":"promise","value":"2"}]}`: true,
		`{"choices":[{"name":"self","value":"3"}]}`:    true,
	}
	if len(rec.got) != 3 {
		t.Fatalf("responses %v", rec.got)
	}
	for _, g := range rec.got {
		if !want[g] {
			t.Fatalf("unexpected response %s (all: %v)", g, rec.got)
		}
	}
	lines, _ := s.log.snapshot()
	for _, l := range lines {
		if containsAll(l, []string{"ERROR"}) {
			t.Fatalf("error logged: %s", l)
		}
	}
}
