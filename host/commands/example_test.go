package commands_test

import (
	"context"
	"fmt"

	"github.com/botrun/botrun/host/commands"
	"github.com/botrun/botrun/host/emulator"
	"github.com/botrun/botrun/host/rest"
)

// The host's side of one slash command: declare, sync, route, respond.
func Example() {
	em := emulator.New(emulator.Options{})
	if err := em.Start("127.0.0.1:0"); err != nil {
		panic(err)
	}
	defer em.Close()
	api := rest.New(rest.Config{BaseURL: em.APIBase(), Token: em.Token()})
	ctx, cancel := context.WithCancel(context.Background())

	sync := commands.NewSyncer(api, commands.SyncOptions{})
	err := sync.Set("ping", []commands.Spec{{
		Where: "ping.lua:3",
		Data:  map[string]any{"name": "echo", "description": "Say it back"},
	}})
	fmt.Println("declared:", err)
	sync.Start(ctx, em.ApplicationID()) // at READY; syncs in the background
	defer func() { cancel(); sync.Wait() }()
	if err := sync.Flush(ctx); err != nil {
		panic(err)
	}

	p, _ := em.InjectCommand("echo")
	target, ok := sync.Router().Route(p.Raw)
	fmt.Println("routed:", target.Owner, target.Kind, target.Key, ok)

	resp := commands.NewResponder(api, commands.ResponderOptions{})
	defer resp.Close()
	ix, _ := commands.ParseInteraction(p.Raw)
	resp.Begin(ix, target.Owner)
	_, err = resp.Respond(ctx, ix, commands.RespondMessage, map[string]any{"content": "echo!"})
	fmt.Println("responded:", err)
	r, _ := p.Wait(ctx)
	fmt.Println("user sees:", r.Content)
	// Output:
	// declared: <nil>
	// routed: ping command echo true
	// responded: <nil>
	// user sees: echo!
}
