package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/botrun/botrun/host/emulator"
	"github.com/botrun/botrun/host/gateway"
	"github.com/botrun/botrun/host/rest"
)

const wait = 10 * time.Second

const botToken = "e2e.bot-token.secret"

type bot struct {
	t      *testing.T
	emu    *emulator.Server
	rc     *rest.Client
	m      *gateway.Manager
	events chan gateway.Dispatch
	done   chan error
	// msgs are MESSAGE_CREATE contents in delivery order, recorded by
	// until whatever it is waiting for
	msgs   []string
	cancel context.CancelFunc
}

func startEmulator(t *testing.T, opts emulator.Options) *emulator.Server {
	t.Helper()
	if opts.Token == "" {
		opts.Token = botToken
	}
	if opts.HeartbeatInterval == 0 {
		opts.HeartbeatInterval = 200 * time.Millisecond
	}
	emu := emulator.New(opts)
	if err := emu.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return emu
}

// startBot wires rest and gateway the way cmd/botrun does.
func startBot(t *testing.T, emu *emulator.Server, mod func(*gateway.Config)) *bot {
	t.Helper()
	b := &bot{t: t, emu: emu, events: make(chan gateway.Dispatch, 1024), done: make(chan error, 1)}
	b.rc = rest.New(rest.Config{BaseURL: emu.APIBase(), Token: botToken, RetryBackoff: 20 * time.Millisecond})
	cfg := gateway.Config{
		Token: botToken,
		Bot: func(ctx context.Context) (gateway.BotInfo, error) {
			gb, err := b.rc.GatewayBot(ctx)
			return gateway.BotInfo(gb), err
		},
		Intents:            gateway.IntentsFor([]string{"MESSAGE_CREATE", "INTERACTION_CREATE"}),
		Dispatch:           func(d gateway.Dispatch) { b.events <- d },
		BackoffMin:         20 * time.Millisecond,
		BackoffMax:         200 * time.Millisecond,
		InvalidSessionWait: [2]time.Duration{10 * time.Millisecond, 20 * time.Millisecond},
		IdentifyInterval:   50 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	m, err := gateway.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b.m = m
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	go func() { b.done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-b.done:
		case <-time.After(wait):
			t.Error("Run did not return")
		}
	})
	return b
}

// until returns the first dispatch named name, skipping others (GUILD_CREATE etc.).
func (b *bot) until(name string) gateway.Dispatch {
	b.t.Helper()
	timeout := time.After(wait)
	for {
		select {
		case d := <-b.events:
			if d.Name == "MESSAGE_CREATE" {
				b.msgs = append(b.msgs, content(d))
			}
			if d.Name == name {
				return d
			}
		case <-timeout:
			b.t.Fatalf("no %s dispatch", name)
		}
	}
}

func (b *bot) runErr() error {
	b.t.Helper()
	select {
	case err := <-b.done:
		b.done <- err
		return err
	case <-time.After(wait):
		b.t.Fatal("Run did not return")
	}
	return nil
}

func content(d gateway.Dispatch) string {
	var m struct{ Content string }
	json.Unmarshal(d.Data, &m)
	return m.Content
}

// TestEmulatorSurvivesEveryFault drives one session through op 7, a zombie
// connection, a dropped socket and both kinds of invalid session; messages
// injected while disconnected arrive exactly once, in order.
func TestEmulatorSurvivesEveryFault(t *testing.T) {
	emu := startEmulator(t, emulator.Options{})
	b := startBot(t, emu, nil)
	b.until("READY")
	general := emu.ChannelID("general")

	// expectMsg waits until want has been delivered (possibly already,
	// while waiting for a lifecycle event)
	expectMsg := func(want string) {
		t.Helper()
		for !slices.Contains(b.msgs, want) {
			b.until("MESSAGE_CREATE")
		}
	}
	inject := func(s string) {
		t.Helper()
		if _, err := emu.InjectMessage(general, s); err != nil {
			t.Fatal(err)
		}
	}

	inject("m1")
	expectMsg("m1")

	emu.SendReconnect(emulator.AllShards)
	inject("during-op7")
	b.until("RESUMED")
	expectMsg("during-op7")

	emu.SetHeartbeatAcks(emulator.AllShards, false)
	if d := b.until("RECONNECTING"); !strings.Contains(string(d.Data), "zombie") {
		t.Errorf("RECONNECTING = %s", d.Data)
	}
	emu.SetHeartbeatAcks(emulator.AllShards, true)
	inject("after-zombie")
	b.until("RESUMED")
	expectMsg("after-zombie")

	emu.DropConnections(emulator.AllShards)
	inject("during-drop-1")
	inject("during-drop-2")
	b.until("RESUMED")
	expectMsg("during-drop-2")

	emu.SendInvalidSession(emulator.AllShards, true)
	b.until("RESUMED")

	emu.SendInvalidSession(emulator.AllShards, false)
	b.until("READY")
	inject("m-last")
	expectMsg("m-last")

	want := "m1 during-op7 after-zombie during-drop-1 during-drop-2 m-last"
	if strings.Join(b.msgs, " ") != want {
		t.Errorf("messages %v, want each exactly once in order: %s", b.msgs, want)
	}
	// REST works alongside: the bot's reply reaches the channel.
	out, stop := emu.Subscribe()
	defer stop()
	if _, err := b.rc.CreateMessage(context.Background(), general, map[string]any{"content": "pong"}); err != nil {
		t.Fatal(err)
	}
	select {
	case o := <-out:
		if o.Kind != emulator.OutMessage || o.Content != "pong" {
			t.Errorf("output %+v", o)
		}
	case <-time.After(wait):
		t.Fatal("no output")
	}
}

func TestEmulatorDisallowedIntentsIsFatal(t *testing.T) {
	emu := startEmulator(t, emulator.Options{AllowedIntents: emulator.NoPrivilegedIntents})
	b := startBot(t, emu, nil)
	err := b.runErr()
	var fe *gateway.FatalError
	if !errors.As(err, &fe) || fe.Code != 4014 {
		t.Fatalf("Run = %v, want 4014", err)
	}
	if !strings.Contains(err.Error(), "MESSAGE_CONTENT") || !strings.Contains(err.Error(), "Privileged Gateway Intents") {
		t.Errorf("message not actionable: %v", err)
	}
}

func TestEmulatorBadTokenIsFatal(t *testing.T) {
	emu := startEmulator(t, emulator.Options{Token: "right"})
	b := startBot(t, emu, func(c *gateway.Config) {
		c.Token = "wrong"
		c.Bot = nil
		c.GatewayURL = emu.GatewayURL()
	})
	err := b.runErr()
	var fe *gateway.FatalError
	if !errors.As(err, &fe) || fe.Code != 4004 || !strings.Contains(err.Error(), "DISCORD_TOKEN") {
		t.Fatalf("Run = %v, want 4004", err)
	}
	rc := rest.New(rest.Config{BaseURL: emu.APIBase(), Token: "wrong"})
	if _, err := rc.GatewayBot(context.Background()); !errors.Is(err, rest.ErrUnauthorized) {
		t.Errorf("REST with a bad token: %v", err)
	}
}

func TestEmulatorTwoShards(t *testing.T) {
	emu := startEmulator(t, emulator.Options{Shards: 2, Guilds: 2})
	b := startBot(t, emu, nil)
	shards := map[int]bool{}
	for len(shards) < 2 {
		d := b.until("READY")
		shards[d.Shard] = true
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := emu.WaitSessions(ctx, 2); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, s := range emu.Sessions() {
		got[fmt.Sprint(s.Shard)] = true
	}
	if !got["[0 2]"] || !got["[1 2]"] {
		t.Errorf("sessions %+v", emu.Sessions())
	}
	if err := b.m.UpdatePresence(ctx, map[string]any{"status": "idle", "activities": []any{}, "since": nil, "afk": false}); err != nil {
		t.Fatal(err)
	}
}

func TestEmulatorRESTRateLimitsAndFaults(t *testing.T) {
	emu := startEmulator(t, emulator.Options{})
	rc := rest.New(rest.Config{BaseURL: emu.APIBase(), Token: botToken, RetryBackoff: 20 * time.Millisecond})
	ctx := context.Background()
	general := emu.ChannelID("general")
	emu.SetRateLimit("POST /channels/{channel_id}/messages", 2, 300*time.Millisecond)
	out, stop := emu.Subscribe()
	defer stop()
	start := time.Now()
	for i := range 5 {
		if _, err := rc.CreateMessage(ctx, general, map[string]any{"content": fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < 550*time.Millisecond {
		t.Errorf("5 messages at 2 per 300 ms took %v", el)
	}
	for _, r := range emu.Requests() {
		if r.Status == 429 {
			t.Errorf("the client hit a 429 it should have avoided: %+v", r)
		}
	}
	for i := range 5 {
		select {
		case o := <-out:
			if o.Content != fmt.Sprint(i) {
				t.Errorf("message %d content %q: out of order", i, o.Content)
			}
		case <-time.After(wait):
			t.Fatal("missing output")
		}
	}
	emu.FailNext(emulator.Fault{Method: "POST", Status: 429, RetryAfter: 100 * time.Millisecond})
	if _, err := rc.CreateMessage(ctx, general, map[string]any{"content": "after 429"}); err != nil {
		t.Fatalf("429 not retried: %v", err)
	}
	emu.FailNext(emulator.Fault{Method: "GET", Status: 502})
	if _, err := rc.GetChannel(ctx, general); err != nil {
		t.Fatalf("502 on GET not retried: %v", err)
	}
	emu.FailNext(emulator.Fault{Method: "POST", Status: 500})
	var e *rest.Error
	if _, err := rc.CreateMessage(ctx, general, map[string]any{"content": "x"}); !errors.As(err, &e) || e.Status != 500 {
		t.Fatalf("POST 500 must surface: %v", err)
	}
	_, err := rc.GetChannel(ctx, "999")
	if !errors.As(err, &e) || e.Status != 404 || e.Code == 0 {
		t.Fatalf("unknown channel: %v", err)
	}
}

func TestEmulatorBadTokenAtDiscoveryIsFatal(t *testing.T) {
	emu := startEmulator(t, emulator.Options{Token: "right"})
	wrong := rest.New(rest.Config{BaseURL: emu.APIBase(), Token: "wrong"})
	b := startBot(t, emu, func(c *gateway.Config) {
		c.Token = "wrong"
		c.Bot = func(ctx context.Context) (gateway.BotInfo, error) {
			gb, err := wrong.GatewayBot(ctx)
			return gateway.BotInfo(gb), err
		}
	})
	err := b.runErr()
	var fe *gateway.FatalError
	if !errors.As(err, &fe) || fe.Code != 4004 {
		t.Fatalf("Run = %v, want a 4004 FatalError", err)
	}
	if want := "GET /gateway/bot answered 401 Unauthorized: authentication failed"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Error() = %q, want prefix %q", err.Error(), want)
	}
}

// TestEmulatorIntentsGrow: a hot reload that adds a handler needing a new
// intent makes every shard identify again with it.
func TestEmulatorIntentsGrow(t *testing.T) {
	emu := startEmulator(t, emulator.Options{})
	b := startBot(t, emu, func(c *gateway.Config) { c.Intents = gateway.IntentsFor([]string{"INTERACTION_CREATE"}) })
	b.until("READY")
	grown := gateway.IntentsFor([]string{"INTERACTION_CREATE", "GUILD_MEMBER_ADD"})
	b.m.SetIntents(grown)
	b.until("READY")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := emu.WaitSessions(ctx, 1); err != nil {
		t.Fatal(err)
	}
	var live []uint64
	for _, s := range emu.Sessions() {
		if s.Connected {
			live = append(live, s.Intents)
		}
	}
	if len(live) != 1 || live[0] != grown {
		t.Fatalf("live sessions' intents %v, want [%d]", live, grown)
	}
	if _, err := emu.AddMember("newcomer"); err != nil {
		t.Fatal(err)
	}
	if d := b.until("GUILD_MEMBER_ADD"); !strings.Contains(string(d.Data), "newcomer") {
		t.Errorf("GUILD_MEMBER_ADD = %s", d.Data)
	}
}
