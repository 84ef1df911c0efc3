package commands

import (
	"context"
	"encoding/json"
	"testing"
)

func TestRouter(t *testing.T) {
	noLeak(t)
	f := newFakeDiscord(t)
	s := newTestSyncer(t, f, SyncOptions{})
	mustSet(t, s, "guildy", withGuilds(spec("guildy.lua:1", echoJS), "1"))
	mustSet(t, s, "globaly", spec("globaly.js:1", echoJS),
		spec("globaly.js:2", `{"name":"echo","type":2}`),
		spec("globaly.js:3", `{"name":"role","description":"roles","options":[
			{"type":2,"name":"member","description":"d","options":[
				{"type":1,"name":"add","description":"d","options":[{"type":3,"name":"which","description":"d","autocomplete":true}]}]}]}`))
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	idOf := func(scope, typ, name string) string {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, c := range f.scopes[scope] {
			if c["name"] == name && c["type"].(float64) == map[string]float64{"1": 1, "2": 2}[typ] {
				return c["id"].(string)
			}
		}
		t.Fatalf("no %s command %s in %s", typ, name, scope)
		return ""
	}
	gID, wID := idOf(guildP("1"), "1", "echo"), idOf(globalP, "1", "echo")
	if gID == wID {
		t.Fatal("fake server gave both commands one id")
	}
	r := s.Router()
	if err := r.SetHandlers("globaly", Handlers{
		Components:   []string{"poll:", "poll:vote:"},
		Modals:       []string{"feedback"},
		Autocomplete: []AutocompleteKey{{"role", "which"}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := r.SetHandlers("guildy", Handlers{Components: []string{"poll:close"}}); err != nil {
		t.Fatal(err)
	}
	if err := r.SetHandlers("late", Handlers{Components: []string{"poll:"}, Modals: []string{"feedback"}}); err == nil {
		t.Fatal("want a conflict for a prefix and modal id already taken")
	}
	r.RemoveHandlers("late")

	tests := []struct {
		name string
		ix   string
		want Target
		ok   bool
	}{
		{"guild command by id", `{"type":2,"guild_id":"1","data":{"id":"` + gID + `","name":"echo","type":1,"guild_id":"1"}}`, Target{"guildy", KindCommand, "echo", ""}, true},
		{"global command by id used in the same guild", `{"type":2,"guild_id":"1","data":{"id":"` + wID + `","name":"echo","type":1}}`, Target{"globaly", KindCommand, "echo", ""}, true},
		{"guild command by name", `{"type":2,"guild_id":"1","data":{"id":"77","name":"echo","type":1,"guild_id":"1"}}`, Target{"guildy", KindCommand, "echo", ""}, true},
		{"global command by name", `{"type":2,"guild_id":"1","data":{"id":"78","name":"echo","type":1}}`, Target{"globaly", KindCommand, "echo", ""}, true},
		{"user command of the same name", `{"type":2,"data":{"id":"79","name":"echo","type":2,"target_id":"5"}}`, Target{"globaly", KindCommand, "echo", ""}, true},
		{"unknown command", `{"type":2,"data":{"id":"80","name":"nope","type":1}}`, Target{}, false},
		{"command in another guild's scope", `{"type":2,"guild_id":"2","data":{"id":"81","name":"echo","type":1,"guild_id":"2"}}`, Target{}, false},
		{"subcommand in a group", `{"type":2,"data":{"name":"role","type":1,"options":[{"type":2,"name":"member","options":[{"type":1,"name":"add","options":[]}]}]}}`, Target{"globaly", KindCommand, "role", ""}, true},
		{"autocomplete nested", `{"type":4,"data":{"name":"role","type":1,"options":[{"type":2,"name":"member","options":[{"type":1,"name":"add","options":[{"type":3,"name":"which","value":"ad","focused":true}]}]}]}}`, Target{"globaly", KindAutocomplete, "role", "which"}, true},
		{"autocomplete without handler", `{"type":4,"data":{"name":"echo","type":1,"options":[{"type":3,"name":"text","value":"x","focused":true}]}}`, Target{}, false},
		{"component longest prefix", `{"type":3,"data":{"custom_id":"poll:vote:3","component_type":2}}`, Target{"globaly", KindComponent, "poll:vote:", ""}, true},
		{"component other owner", `{"type":3,"data":{"custom_id":"poll:close:9","component_type":2}}`, Target{"guildy", KindComponent, "poll:close", ""}, true},
		{"component shorter prefix", `{"type":3,"data":{"custom_id":"poll:results","component_type":2}}`, Target{"globaly", KindComponent, "poll:", ""}, true},
		{"component unknown", `{"type":3,"data":{"custom_id":"other","component_type":2}}`, Target{}, false},
		{"modal exact", `{"type":5,"data":{"custom_id":"feedback","components":[]}}`, Target{"globaly", KindModal, "feedback", ""}, true},
		{"modal not a prefix", `{"type":5,"data":{"custom_id":"feedback2","components":[]}}`, Target{}, false},
		{"ping", `{"type":1}`, Target{}, false},
		{"garbage", `{"type":`, Target{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := r.Route(json.RawMessage(tt.ix))
			if ok != tt.ok || got != tt.want {
				t.Fatalf("Route = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func FuzzRoute(f *testing.F) {
	f.Add([]byte(`{"type":4,"data":{"name":"role","options":[{"type":1,"name":"add","options":[{"name":"which","focused":true}]}]}}`))
	f.Add([]byte(`{"type":3,"data":{"custom_id":"poll:vote:1"}}`))
	f.Add([]byte(`{"type":5,"data":{"custom_id":"x"}}`))
	r := newRouter()
	_ = r.SetHandlers("o", Handlers{Components: []string{"", "poll:"}, Modals: []string{"x"}, Autocomplete: []AutocompleteKey{{"role", "which"}}})
	r.setNames(map[scopedKey]string{{Global, cmdKey{1, "role"}}: "o"})
	f.Fuzz(func(t *testing.T, b []byte) {
		tgt, ok := r.Route(b)
		if ok && tgt.Owner != "o" {
			t.Fatalf("routed to unknown owner %+v", tgt)
		}
	})
}
