package emulator

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestSubscribeLifecycle(t *testing.T) {
	s := start(t, Options{})
	a, stopA := s.Subscribe()
	b, stopB := s.Subscribe()
	resp, body := api(t, s, "POST", "/api/v10/channels/"+s.DMChannelID()+"/messages", map[string]any{"content": "dm", "embeds": []any{map[string]any{"title": "T"}}})
	wantStatus(t, resp, body, 200)
	for _, ch := range []<-chan Output{a, b} {
		o := nextOutput(t, ch, OutMessage)
		if o.ChannelName != "DM" || o.Content != "dm" || len(o.Embeds) == 0 || o.String() != `message DM: dm embeds=[{"title":"T"}]` {
			t.Fatalf("output %+v %q", o, o.String())
		}
		if !json.Valid(o.Data) {
			t.Fatalf("Data %q", o.Data)
		}
	}
	stopA()
	stopA() // idempotent
	if _, ok := <-a; ok {
		t.Fatal("cancelled subscription still open")
	}
	_ = s.Close()
	if _, ok := <-b; ok {
		t.Fatal("Close left a subscription open")
	}
	stopB()
	c, stopC := s.Subscribe()
	defer stopC()
	if _, ok := <-c; ok {
		t.Fatal("Subscribe after Close returned an open channel")
	}
}

func TestOutputString(t *testing.T) {
	tests := []struct {
		o    Output
		want string
	}{
		{Output{Kind: OutMessage, ChannelName: "general", Content: "hi"}, "message #general: hi"},
		{Output{Kind: OutMessage, ChannelName: "general", Content: "hi", ReplyTo: "9"}, "message #general (reply to 9): hi"},
		{Output{Kind: OutEdit, ChannelName: "general", MessageID: "5", Content: "x"}, "edit #general 5: x"},
		{Output{Kind: OutDelete, ChannelName: "general", MessageID: "5"}, "delete #general 5"},
		{Output{Kind: OutReactionAdd, ChannelName: "general", MessageID: "5", Emoji: "👍"}, "reaction_add #general 👍 on 5"},
		{Output{Kind: OutInteractionResponse, InteractionID: "7", ResponseType: 5, Ephemeral: true}, "interaction 7: deferred (ephemeral)"},
		{Output{Kind: OutInteractionResponse, InteractionID: "7", ResponseType: 42}, "interaction 7: 42"},
		{Output{Kind: OutFollowup, ChannelName: "general", Content: "f", Components: json.RawMessage(`[{"type":1}]`)}, `followup #general: f components=[{"type":1}]`},
		{Output{Kind: OutCommands, Scope: "123", Count: 0}, "commands 123: 0 registered"},
	}
	for _, tt := range tests {
		if got := tt.o.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.o, got, tt.want)
		}
	}
}

// TestCloseLeavesNoGoroutines closes a server with live plain and
// zlib-stream connections, one of them mid-resume, and a subscriber.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	s := New(Options{HeartbeatInterval: 50 * time.Millisecond, HeartbeatTimeout: time.Second, Shards: 2, Guilds: 2})
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	out, _ := s.Subscribe()
	c0, _, _ := connect(t, s, allIntents, []int{0, 2})
	c0.expectDispatch("GUILD_CREATE")
	z := dial(t, s.GatewayURL()+"/?v=10&encoding=json&compress=zlib-stream")
	z.hello()
	z.send(identifyPayload(s.Token(), allIntents, []int{1, 2}))
	z.expectDispatch("READY")
	idle := dial(t, s.GatewayURL()) // connected, never identifies
	idle.hello()
	if err := s.WaitSessions(ctxTimeout(t), 2); err != nil {
		t.Fatal(err)
	}
	api(t, s, "GET", "/api/v10/users/@me", nil)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-out; ok {
		// Drain whatever was emitted before Close; the channel must end.
		for range out {
		}
	}
	for _, c := range []*client{c0, z, idle} {
		_ = c.ws.Close()
	}
	waitGoroutines(t, before)
}

func TestStartTwiceAndAfterClose(t *testing.T) {
	s := start(t, Options{})
	if err := s.Start("127.0.0.1:0"); err == nil {
		t.Fatal("second Start succeeded")
	}
	_ = s.Close()
	if err := New(Options{}).Start("256.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "listen on 256.0.0.1:0") {
		t.Fatalf("bad address: %v", err)
	}
	if err := s.Start("127.0.0.1:0"); err == nil {
		t.Fatal("Start after Close succeeded")
	}
}
