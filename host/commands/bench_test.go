package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
)

// BenchmarkFlushUnchanged is the cost of a hot-reload sync that finds
// nothing to send: 100 commands compared against the cached registration.
func BenchmarkFlushUnchanged(b *testing.B) {
	f := newFakeDiscord(&testing.T{})
	defer f.srv.Close()
	s := NewSyncer(newAPI(f.srv.URL), SyncOptions{})
	s.appID = appID
	var specs []Spec
	for i := 0; i < 100; i++ {
		specs = append(specs, spec(fmt.Sprintf("b.lua:%d", i), fmt.Sprintf(
			`{"name":"cmd%d","description":"d","options":[{"type":3,"name":"a","description":"d","required":true},{"type":4,"name":"n","description":"d","choices":[{"name":"one","value":1}]}]}`, i)))
	}
	if err := s.Set("b", specs); err != nil {
		b.Fatal(err)
	}
	if err := s.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	f.take()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if reqs := f.take(); len(reqs) != 0 {
		b.Fatalf("unchanged sync sent %d requests", len(reqs))
	}
}

func BenchmarkRoute(b *testing.B) {
	r := newRouter()
	names := map[scopedKey]string{}
	ids := map[string]commandRoute{}
	for i := 0; i < 100; i++ {
		names[scopedKey{Global, cmdKey{1, fmt.Sprint("cmd", i)}}] = "o"
		ids[fmt.Sprint(1000+i)] = commandRoute{Global, cmdKey{1, fmt.Sprint("cmd", i)}}
	}
	r.setNames(names)
	r.setIDs(ids)
	_ = r.SetHandlers("o", Handlers{Components: []string{"a:", "b:", "poll:vote:"}})
	cmd := json.RawMessage(`{"id":"1","application_id":"2","token":"t","type":2,"guild_id":"5","member":{"user":{"id":"9","username":"x"}},"data":{"id":"1050","name":"cmd50","type":1,"options":[{"name":"a","type":3,"value":"hello"}]}}`)
	comp := json.RawMessage(`{"id":"1","type":3,"data":{"custom_id":"poll:vote:3","component_type":2}}`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok := r.Route(cmd); !ok {
			b.Fatal("not routed")
		}
		if _, ok := r.Route(comp); !ok {
			b.Fatal("not routed")
		}
	}
}
