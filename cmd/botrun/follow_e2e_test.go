package main

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/botrun/botrun/host/emulator"
	"github.com/botrun/botrun/host/gateway"
)

// TestIntentsAndCommandsFollowReloads: adding a script that handles a new
// event widens the gateway intents, and one that declares a command gets
// it registered, without restarting botrun.
func TestIntentsAndCommandsFollowReloads(t *testing.T) {
	t.Parallel()
	emu, out := startEmulator(t, emulator.Options{})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"members.lua": `on("GUILD_MEMBER_ADD", function(m) end)` + "\n"})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	p := startOn(t, ctx, emu, dir)
	want := gateway.IntentsFor([]string{"GUILD_MEMBER_ADD"})
	if got := emu.Sessions()[0].Intents; got != want {
		t.Fatalf("intents = %d, want %d", got, want)
	}

	writeFiles(t, dir, map[string]string{"ping.lua": `on("MESSAGE_CREATE", function(m) if m.content == "!ping" then m:reply("pong") end end)` + "\n" +
		`command({name = "echo", description = "Say it back"}, function(ix) ix:respond("echo") end)` + "\n"})
	waitOutput(t, ctx, out, func(o emulator.Output) bool { return o.Kind == emulator.OutCommands && o.Count == 1 })
	want = gateway.IntentsFor([]string{"GUILD_MEMBER_ADD", "MESSAGE_CREATE"})
	for {
		ss := emu.Sessions()
		if len(ss) > 0 && ss[len(ss)-1].Connected && ss[len(ss)-1].Intents == want {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("intents never widened to %d; sessions %+v\n%s", want, emu.Sessions(), p.stderr)
		case <-time.After(20 * time.Millisecond): // poll the emulator's session list
		}
	}
	if _, err := emu.InjectMessage(emu.ChannelID("general"), "!ping"); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, ctx, out, func(o emulator.Output) bool { return o.Content == "pong" })
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d\n%s", code, p.stderr)
	}
}

// TestInteractionFailures: a command whose handler raises gets the host's
// ephemeral failure answer at once (not a client-side timeout), and a
// button no script handles gets the "unavailable" answer.
func TestInteractionFailures(t *testing.T) {
	t.Parallel()
	emu, out := startEmulator(t, emulator.Options{})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"boom.lua": `command({name = "boom", description = "fails"}, function(ix) error("kaboom") end)` + "\n",
		"menu.js": `command({name: "menu", description: "buttons"}, async (ix) => {` + "\n" +
			`  await ix.respond({content: "pick", components: [{type: 1, components: [{type: 2, style: 1, label: "x", custom_id: "orphan"}]}]});` + "\n" +
			`});` + "\n",
	})
	p := start(t, []string{"BOTRUN_API_URL=" + emu.APIBase(), "DISCORD_TOKEN=" + emu.Token()}, "run", dir)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	waitOutput(t, ctx, out, func(o emulator.Output) bool { return o.Kind == emulator.OutCommands && o.Count == 2 })

	answer := func(spec emulator.InteractionSpec) emulator.Response {
		t.Helper()
		pend, err := emu.InjectInteraction(spec)
		if err != nil {
			t.Fatal(err)
		}
		r, err := pend.Wait(ctx)
		if err != nil {
			t.Fatalf("no answer to %+v: %v\n%s", spec, err, p.stderr)
		}
		return r
	}
	r := answer(emulator.InteractionSpec{Kind: emulator.KindCommand, Name: "boom"})
	// Type 4 (a message) rather than 5 (deferred): the failure was answered
	// at once, not after the host's auto-defer.
	if r.Type != 4 || !r.Ephemeral || r.Content == "" || strings.Contains(r.Content, "kaboom") {
		t.Errorf("failure answer = %+v", r)
	}
	if r := answer(emulator.InteractionSpec{Kind: emulator.KindCommand, Name: "menu"}); r.Content != "pick" {
		t.Fatalf("menu answer = %+v", r)
	}
	r = answer(emulator.InteractionSpec{Kind: emulator.KindComponent, CustomID: "orphan"})
	if !r.Ephemeral || r.Content == "" {
		t.Errorf("unavailable answer = %+v", r)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d\n%s", code, p.stderr)
	}
}
