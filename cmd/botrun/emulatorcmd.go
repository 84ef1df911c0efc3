package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/botrun/botrun/host/emulator"
	uncordemu "github.com/botrun/botrun/host/emulator/uncord"
)

func cmdEmulator(ctx context.Context, a *app, args []string) int {
	fs := a.newFlagSet("emulator", "[--platform discord|uncord] [--addr HOST:PORT]", `  botrun emulator --addr 127.0.0.1:8765
  BOTRUN_API_URL=http://127.0.0.1:8765/api/v10 DISCORD_TOKEN=<printed token> botrun run mybot
  botrun emulator --platform uncord     # then base_url and UNCORD_EMAIL/UNCORD_PASSWORD as printed`)
	addr := fs.String("addr", "127.0.0.1:8765", "address to listen on")
	plat := fs.String("platform", "discord", "the server to emulate: discord or uncord")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	pos, code, ok := a.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		return a.usageErr("emulator", "unexpected arguments %q", pos)
	}
	log := newLogger(a.stderr, *logLevel, "auto")
	switch *plat {
	case "discord":
	case "uncord":
		return serveUncordEmulator(ctx, a, log, *addr)
	default:
		return a.usageErr("emulator", "unknown platform %q (discord or uncord)", *plat)
	}
	emu := emulator.New(emulator.Options{Logger: log})
	if err := emu.Start(*addr); err != nil {
		fmt.Fprintf(a.stderr, "botrun emulator: %v\n", err)
		return exitFatal
	}
	fmt.Fprintf(a.stdout, "emulator listening\n  API base:    %s\n  gateway:     %s\n  token:       %s\n  guild:       %s (#general %s)\n  control:     %s/_emulator/info (see docs/emulator.md)\n\nRun a bot against it:\n  BOTRUN_API_URL=%s DISCORD_TOKEN=%s botrun run mybot\n",
		emu.APIBase(), emu.GatewayURL(), emu.Token(), emu.GuildID(), emu.ChannelID("general"), emu.URL(), emu.APIBase(), emu.Token())
	<-ctx.Done()
	if err := emu.Close(); err != nil {
		fmt.Fprintf(a.stderr, "botrun emulator: %v\n", err)
		return exitFatal
	}
	return exitOK
}

// serveUncordEmulator is `botrun emulator --platform uncord`.
func serveUncordEmulator(ctx context.Context, a *app, log *slog.Logger, addr string) int {
	emu := uncordemu.New(uncordEmulatorOptions(uncordemu.Options{Logger: log}))
	if err := emu.Start(addr); err != nil {
		fmt.Fprintf(a.stderr, "botrun emulator: %v\n", err)
		return exitFatal
	}
	email, password := emu.Credentials()
	fmt.Fprintf(a.stdout, `Uncord emulator listening
  base_url:    %s
  bot login:   %s / %s
  test user:   %s
  channels:    #general %s, #welcome %s, #staff (not readable by the bot)

Run a bot against it: in botrun.toml
  platform = "uncord"
  base_url = "%s"
then
  UNCORD_EMAIL=%s UNCORD_PASSWORD=%s botrun run mybot
`, emu.URL(), email, password, emu.TestUser().Username, emu.ChannelID("general"), emu.ChannelID("welcome"), emu.URL(), email, password)
	<-ctx.Done()
	if err := emu.Close(); err != nil {
		fmt.Fprintf(a.stderr, "botrun emulator: %v\n", err)
		return exitFatal
	}
	return exitOK
}
