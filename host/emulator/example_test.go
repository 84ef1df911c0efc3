package emulator_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/botrun/botrun/host/emulator"
)

// A test starts the emulator, points the bot at APIBase and Token, and
// watches what the bot does. Here a plain HTTP call stands in for the bot.
func Example() {
	emu := emulator.New(emulator.Options{HeartbeatInterval: 50 * time.Millisecond})
	if err := emu.Start("127.0.0.1:0"); err != nil {
		panic(err)
	}
	defer emu.Close()
	out, stop := emu.Subscribe()
	defer stop()

	req, _ := http.NewRequest("POST", emu.APIBase()+"/channels/"+emu.ChannelID("general")+"/messages",
		strings.NewReader(`{"content":"pong"}`))
	req.Header.Set("Authorization", "Bot "+emu.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("X-RateLimit-Limit"))
	fmt.Println(<-out)
	// Output:
	// 200 50
	// message #general: pong
}

// Interactions are injected and their response awaited with Pending.Wait.
func ExampleServer_InjectCommand() {
	emu := emulator.New(emulator.Options{})
	if err := emu.Start("127.0.0.1:0"); err != nil {
		panic(err)
	}
	defer emu.Close()
	p, err := emu.InjectCommand("echo", emulator.Opt("text", "hi"))
	if err != nil {
		panic(err)
	}
	// The bot would receive INTERACTION_CREATE over the gateway and answer:
	resp, err := http.Post(emu.APIBase()+"/interactions/"+p.ID+"/"+p.Token+"/callback", "application/json",
		strings.NewReader(`{"type":4,"data":{"content":"hi","flags":64}}`))
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := p.Wait(ctx)
	fmt.Println(resp.StatusCode, r.Type, r.Content, r.Ephemeral, err)
	// Output: 204 4 hi true <nil>
}
