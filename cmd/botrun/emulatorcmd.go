package main

import (
	"context"
	"fmt"

	"github.com/botrun/botrun/host/emulator"
)

func cmdEmulator(ctx context.Context, a *app, args []string) int {
	fs := a.newFlagSet("emulator", "[--addr HOST:PORT]", `  botrun emulator --addr 127.0.0.1:8765
  BOTRUN_API_URL=http://127.0.0.1:8765/api/v10 DISCORD_TOKEN=<printed token> botrun run mybot`)
	addr := fs.String("addr", "127.0.0.1:8765", "address to listen on")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	pos, code, ok := a.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		return a.usageErr("emulator", "unexpected arguments %q", pos)
	}
	log := newLogger(a.stderr, *logLevel, "auto")
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
