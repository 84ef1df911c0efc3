package uncord

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	emu "github.com/botrun/botrun/host/emulator/uncord"
	"github.com/botrun/botrun/host/gateway"
)

func TestBotEndToEnd(t *testing.T) {
	s := startEmu(t, emu.Options{HeartbeatInterval: 500 * time.Millisecond})
	email, pw := s.Credentials()
	events := make(chan Event, 100)
	b, err := NewBot(BotConfig{BaseURL: s.URL(), Email: email, Password: pw,
		StatePath: filepath.Join(t.TempDir(), "uncord.json"),
		Deliver:   func(e Event) { events <- e },
		Gateway:   func(c *gateway.Config) { c.IdentifyInterval, c.BackoffMin = time.Millisecond, 10*time.Millisecond }})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Commands().Set("echo.lua", []map[string]any{{"name": "echo", "description": "Say it back",
		"options": []any{map[string]any{"type": 3, "name": "text", "description": "what", "required": true}}}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not return")
		}
	}()
	out, stop := s.Subscribe()
	defer stop()

	wait := func(name string) Event {
		t.Helper()
		for {
			select {
			case e := <-events:
				if e.Name == name {
					return e
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("no %s", name)
			}
		}
	}
	ready := wait("READY")
	if !strings.Contains(string(ready.Data), s.BotUser().ID) || b.UserID() != s.BotUser().ID {
		t.Fatal("READY does not carry the bot user")
	}
	gen := s.ChannelID("general")

	// a text command reaches the command handler as an interaction
	s.InjectMessage(gen, "/echo hello there")
	ev := wait("INTERACTION_CREATE")
	if ev.Command != "echo" || ev.Owner != "echo.lua" {
		t.Fatalf("event %+v", ev)
	}
	var raw struct {
		ID        string `json:"id"`
		Token     string `json:"token"`
		ChannelID string `json:"channel_id"`
		Type      int    `json:"type"`
		Data      struct {
			Options []struct {
				Value string `json:"value"`
			} `json:"options"`
		} `json:"data"`
	}
	json.Unmarshal(ev.Data, &raw)
	if raw.Data.Options[0].Value != "hello there" {
		t.Fatalf("options %s", ev.Data)
	}
	ix := Interaction{ID: raw.ID, Token: raw.Token, ChannelID: raw.ChannelID, Type: raw.Type}
	if _, err := b.Responder().Respond(ctx, ix, 4, map[string]any{"content": raw.Data.Options[0].Value}); err != nil {
		t.Fatal(err)
	}
	if o := next(t, out); o.Kind != emu.OutMessage || o.Content != "hello there" || o.ReplyTo != raw.ID {
		t.Fatalf("reply %+v", o)
	}
	// the bot's own reply comes back marked as a bot message
	own := wait("MESSAGE_CREATE")
	if !strings.Contains(string(own.Data), `"bot":true`) {
		t.Fatalf("own message %s", own.Data)
	}

	// a malformed command gets a usage reply and no event
	s.InjectMessage(gen, "/echo")
	if o := next(t, out); o.Kind != emu.OutMessage || o.Content != "Missing text.\nUsage: /echo text:<string>" {
		t.Fatalf("usage reply %+v", o)
	}

	// aliases and normalisation
	m, _ := s.InjectMessage(gen, "plain")
	for e := wait("MESSAGE_CREATE"); !strings.Contains(string(e.Data), `"plain"`); e = wait("MESSAGE_CREATE") {
		if strings.Contains(string(e.Data), "/echo") && !strings.Contains(string(e.Data), "Usage") {
			t.Fatalf("a command message reached MESSAGE_CREATE handlers: %s", e.Data)
		}
	}
	s.InjectReaction(gen, m.ID, "👍")
	r := wait("REACTION_ADD")
	if len(r.Aliases) != 1 || r.Aliases[0] != "MESSAGE_REACTION_ADD" || !strings.Contains(string(r.Data), `"emoji_unicode":"👍"`) {
		t.Fatalf("reaction %+v %s", r, r.Data)
	}
	s.AddMember("newbie")
	if e := wait("MEMBER_ADD"); len(e.Aliases) != 1 || e.Aliases[0] != "GUILD_MEMBER_ADD" {
		t.Fatalf("member add %+v", e)
	}
	if err := b.UpdatePresence(ctx, map[string]any{"status": "idle", "activities": []any{}}); err != nil {
		t.Fatal(err)
	}
	for {
		if o := next(t, out); o.Kind == emu.OutPresence {
			if o.Status != "idle" {
				t.Fatalf("presence %+v", o)
			}
			break
		}
	}
}
