package commands

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/botrun/botrun/host/emulator"
	"github.com/botrun/botrun/host/rest"
)

func startEmulator(t *testing.T) (*emulator.Server, API) {
	t.Helper()
	em := emulator.New(emulator.Options{})
	if err := em.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = em.Close() })
	return em, rest.New(rest.Config{BaseURL: em.APIBase(), Token: em.Token(), MaxRetries: -1})
}

func countPuts(em *emulator.Server) int {
	n := 0
	for _, r := range em.Requests() {
		if r.Method == "PUT" && strings.HasSuffix(r.Path, "/commands") {
			n++
		}
	}
	return n
}

// TestEmulatorSyncAndRoute registers commands in the emulator, checks that
// its echoes compare equal (a restart sends nothing), and routes injected
// interactions for a guild and a global command of the same name.
func TestEmulatorSyncAndRoute(t *testing.T) {
	noLeak(t)
	em, api := startEmulator(t)
	ctx := context.Background()
	guild := em.GuildID()
	declare := func(s *Syncer) {
		mustSet(t, s, "global", spec("global.lua:1", echoJS),
			spec("global.lua:5", `{"name":"echo","type":2}`),
			spec("global.lua:9", `{"name":"role","description":"roles","default_member_permissions":"8","options":[
				{"type":2,"name":"member","description":"d","options":[
					{"type":1,"name":"add","description":"d","options":[
						{"type":3,"name":"which","description":"d","required":true,"autocomplete":true},
						{"type":4,"name":"days","description":"d","min_value":1,"max_value":30,"choices":[{"name":"one","value":1},{"name":"week","value":7}]}]}]}]}`))
		mustSet(t, s, "guild", withGuilds(spec("guild.js:2", echoJS), guild))
	}
	s := NewSyncer(api, SyncOptions{})
	s.appID = em.ApplicationID()
	declare(s)
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countPuts(em); n != 2 {
		t.Fatalf("first sync: want 2 PUTs (global and guild), got %d", n)
	}
	// A restart: a new syncer reads what is registered and finds nothing
	// to change, whatever defaults the platform added.
	s2 := NewSyncer(api, SyncOptions{})
	s2.appID = em.ApplicationID()
	declare(s2)
	if err := s2.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countPuts(em); n != 2 {
		t.Fatalf("restart with nothing changed sent %d more PUTs", n-2)
	}
	if err := s2.Router().SetHandlers("global", Handlers{Autocomplete: []AutocompleteKey{{"role", "which"}}}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		spec emulator.InteractionSpec
		want Target
	}{
		{"guild command", emulator.InteractionSpec{Kind: emulator.KindCommand, Name: "echo", Options: []emulator.Option{emulator.Opt("text", "hi")}},
			Target{Owner: "guild", Kind: KindCommand, Key: "echo"}},
		{"user command of the same name", emulator.InteractionSpec{Kind: emulator.KindCommand, Name: "echo", CommandType: 2, TargetID: em.TestUser().ID},
			Target{Owner: "global", Kind: KindCommand, Key: "echo"}},
		{"global command in a DM", emulator.InteractionSpec{Kind: emulator.KindCommand, Name: "echo", ChannelID: em.DMChannelID(), Options: []emulator.Option{emulator.Opt("text", "hi")}},
			Target{Owner: "global", Kind: KindCommand, Key: "echo"}},
		{"autocomplete in a group", emulator.InteractionSpec{Kind: emulator.KindAutocomplete, Name: "role", Group: "member", Subcommand: "add",
			Options: []emulator.Option{{Name: "which", Value: "mo", Focused: true}}},
			Target{Owner: "global", Kind: KindAutocomplete, Key: "role", Option: "which"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := em.InjectInteraction(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := s2.Router().Route(p.Raw)
			if !ok || got != tt.want {
				t.Fatalf("Route = %+v, %v; want %+v\ninteraction: %s", got, ok, tt.want, p.Raw)
			}
		})
	}
}

// TestEmulatorAutoDefer answers an interaction late: the host defers at
// 2.5 s (injected clock) and the handler's respond edits that response.
func TestEmulatorAutoDefer(t *testing.T) {
	noLeak(t)
	em, api := startEmulator(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := NewSyncer(api, SyncOptions{})
	s.appID = em.ApplicationID()
	mustSet(t, s, "echo", spec("echo.lua:1", echoJS))
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	out, unsubscribe := em.Subscribe()
	defer unsubscribe()

	clock := newManualClock()
	rs := NewResponder(api, ResponderOptions{Clock: clock})
	defer rs.Close()
	p, err := em.InjectCommand("echo", emulator.Opt("text", "slow"))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := ParseInteraction(p.Raw)
	if err != nil {
		t.Fatal(err)
	}
	rs.Begin(ix, "echo")
	clock.Advance(2500 * time.Millisecond)
	resp, err := p.Wait(ctx)
	if err != nil || resp.Type != RespondDefer {
		t.Fatalf("want the host's deferred response, got %+v %v", resp, err)
	}
	if _, err := rs.Respond(ctx, ix, RespondMessage, map[string]any{"content": "done at last"}); err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case o := <-out:
			if o.Kind == emulator.OutOriginalEdit {
				if o.Content != "done at last" {
					t.Fatalf("edit content %q", o.Content)
				}
				_, err := rs.Respond(ctx, ix, RespondModal, map[string]any{"custom_id": "m", "title": "t", "components": []any{map[string]any{"type": 1}}})
				if err == nil || !strings.Contains(err.Error(), "too late") {
					t.Fatalf("modal after auto-defer: %v", err)
				}
				return
			}
		case <-ctx.Done():
			t.Fatal("no edit of the original response")
		}
	}
}

// TestEmulatorUnavailableAndFail checks the replies users see when nobody
// handles an interaction or the handler fails.
func TestEmulatorUnavailableAndFail(t *testing.T) {
	noLeak(t)
	em, api := startEmulator(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := NewSyncer(api, SyncOptions{})
	s.appID = em.ApplicationID()
	mustSet(t, s, "echo", spec("echo.lua:1", echoJS))
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	rs := NewResponder(api, ResponderOptions{Clock: newManualClock()})
	defer rs.Close()

	p, err := em.InjectInteraction(emulator.InteractionSpec{Kind: emulator.KindModal, CustomID: "nobody", Fields: []emulator.Field{{CustomID: "a", Value: "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Router().Route(p.Raw); ok {
		t.Fatal("an unhandled modal was routed")
	}
	ix, _ := ParseInteraction(p.Raw)
	if err := rs.Unavailable(ctx, ix); err != nil {
		t.Fatal(err)
	}
	resp, err := p.Wait(ctx)
	if err != nil || resp.Content != UnavailableText || !resp.Ephemeral {
		t.Fatalf("unavailable reply: %+v %v", resp, err)
	}

	p, err = em.InjectCommand("echo", emulator.Opt("text", "x"))
	if err != nil {
		t.Fatal(err)
	}
	ix, _ = ParseInteraction(p.Raw)
	rs.Begin(ix, "echo")
	if err := rs.Fail(ctx, ix, errSample); err != nil {
		t.Fatal(err)
	}
	resp, err = p.Wait(ctx)
	if err != nil || resp.Content != FailedText || !resp.Ephemeral {
		t.Fatalf("failure reply: %+v %v", resp, err)
	}
}

var errSample = errors.New("handler exploded")
