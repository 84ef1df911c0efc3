package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/botrun/botrun/bench/load"
)

// peer is one bot implementation under test.
type peer struct {
	name   string // as in -peers and the tables
	label  string // as printed
	botrun bool   // botrun itself (scripts, hot reload)
	ext    string // botrun: script extension
	// zlib marks a botrun variant with zlib-stream transport compression;
	// every other peer receives uncompressed JSON, discord.js's default.
	// It runs the throughput workload only: it is there to show what
	// compression costs.
	zlib bool
	// prepare builds or installs the peer once per benchmark.
	prepare func(ctx context.Context, w *workspace) error
	// command starts the peer against plat.
	command func(w *workspace, plat load.Platform, o startOpts) (load.Command, error)
}

// startOpts shapes one peer process.
type startOpts struct {
	scripts int  // botrun: script files; others: MESSAGE_CREATE handlers
	watch   bool // botrun: hot reload on
	// quiet makes botrun's extra scripts subscribe to an event the
	// benchmark never sends, so probe messages reach only the bench
	// script (hot reload is about the scripts' presence, not traffic).
	quiet bool
}

// workspace is the benchmark's temporary folder and the repository root.
type workspace struct {
	root   string // repository root (holds go.mod of github.com/botrun/botrun)
	tmp    string
	botrun string // a prebuilt botrun binary to use instead of building one
}

func (w *workspace) bin(name string) string {
	if name == "botrun" && w.botrun != "" {
		return w.botrun
	}
	return filepath.Join(w.tmp, "bin", name)
}

var allPeers = []*peer{
	{name: "botrun-lua", label: "botrun (Lua)", botrun: true, ext: "lua", prepare: buildBotrun, command: botrunCommand("lua", false)},
	{name: "botrun-js", label: "botrun (JS)", botrun: true, ext: "js", prepare: buildBotrun, command: botrunCommand("js", false)},
	{name: "botrun-lua-zlib", label: "botrun (Lua), zlib-stream", botrun: true, ext: "lua", zlib: true, prepare: buildBotrun, command: botrunCommand("lua", true)},
	{name: "botrun-js-zlib", label: "botrun (JS), zlib-stream", botrun: true, ext: "js", zlib: true, prepare: buildBotrun, command: botrunCommand("js", true)},
	{name: "discordgo", label: "discordgo v0.29.0 (Go)", prepare: buildDiscordgo, command: discordgoCommand},
	{name: "discordjs", label: "discord.js 14 (JS)", prepare: installDiscordjs, command: discordjsCommand},
}

func run(ctx context.Context, dir string, argv ...string) error {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, out)
	}
	return nil
}

func buildBotrun(ctx context.Context, w *workspace) error {
	if _, err := os.Stat(w.bin("botrun")); err == nil {
		return nil
	} else if w.botrun != "" {
		return fmt.Errorf("-botrun: %w", err)
	}
	// Built as docs/deployment.md says to deploy it: static, both engines.
	return run(ctx, w.root, "env", "CGO_ENABLED=0", "go", "build", "-o", w.bin("botrun"), "./cmd/botrun")
}

func buildDiscordgo(ctx context.Context, w *workspace) error {
	// The peer is its own module: building it fetches discordgo through
	// the Go module proxy, and the main module never depends on it.
	// Static like botrun, so neither Go peer maps libc.
	return run(ctx, filepath.Join(w.root, "bench/peers/discordgo"), "env", "CGO_ENABLED=0", "go", "build", "-o", w.bin("discordgo-peer"), ".")
}

func installDiscordjs(ctx context.Context, w *workspace) error {
	dir := filepath.Join(w.tmp, "discordjs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range []string{"package.json", "client.js"} {
		b, err := os.ReadFile(filepath.Join(w.root, "bench/peers/discordjs", f))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			return err
		}
	}
	return run(ctx, dir, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error")
}

// botrunCommand lays out a bot directory with the bench script, n-1 idle
// scripts and a botrun.toml choosing the transport, and runs botrun on it
// against the emulator.
func botrunCommand(ext string, compress bool) func(w *workspace, plat load.Platform, o startOpts) (load.Command, error) {
	name := "botrun-" + ext
	if compress {
		name += "-zlib"
	}
	return func(w *workspace, plat load.Platform, o startOpts) (load.Command, error) {
		dir, err := os.MkdirTemp(w.tmp, "bot-"+ext+"-")
		if err != nil {
			return load.Command{}, err
		}
		src := filepath.Join(w.root, "bench/peers/botrun")
		bench, err := os.ReadFile(filepath.Join(src, ext, "bench."+ext))
		if err != nil {
			return load.Command{}, err
		}
		idle, err := os.ReadFile(filepath.Join(src, "idle."+ext))
		if err != nil {
			return load.Command{}, err
		}
		if err := os.WriteFile(filepath.Join(dir, "bench."+ext), bench, 0o644); err != nil {
			return load.Command{}, err
		}
		toml := fmt.Sprintf("# zlib-stream transport compression (botrun's default is true)\ncompress = %t\n", compress)
		if err := os.WriteFile(filepath.Join(dir, "botrun.toml"), []byte(toml), 0o644); err != nil {
			return load.Command{}, err
		}
		if o.quiet {
			idle = bytes.ReplaceAll(idle, []byte(`"MESSAGE_CREATE"`), []byte(`"TYPING_START"`))
		}
		for i := 1; i < o.scripts; i++ {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("idle%03d.%s", i, ext)), idle, 0o644); err != nil {
				return load.Command{}, err
			}
		}
		return load.Command{
			Name: name,
			Argv: []string{w.bin("botrun"), "run", dir},
			Dir:  dir,
			Env: []string{
				"DISCORD_TOKEN=" + plat.Token(),
				"BOTRUN_API_URL=" + plat.APIBase(),
				"BOTRUN_WATCH=" + strconv.FormatBool(o.watch),
				"BOTRUN_LOG_LEVEL=warn",
				"BOTRUN_LOG_FORMAT=text",
				// The latency workload answers 500 messages a second, ten
				// times Discord's default global REST budget.
				"BOTRUN_REST_GLOBAL_LIMIT=-1",
			},
		}, nil
	}
}

func discordgoCommand(w *workspace, plat load.Platform, o startOpts) (load.Command, error) {
	return load.Command{
		Name: "discordgo",
		Argv: []string{w.bin("discordgo-peer")},
		Dir:  w.tmp,
		Env:  []string{"BENCH_API=" + plat.URL(), "BENCH_TOKEN=" + plat.Token(), "BENCH_HANDLERS=" + strconv.Itoa(o.scripts)},
	}, nil
}

func discordjsCommand(w *workspace, plat load.Platform, o startOpts) (load.Command, error) {
	return load.Command{
		Name: "discordjs",
		Argv: []string{"node", "client.js"},
		Dir:  filepath.Join(w.tmp, "discordjs"),
		Env: []string{"BENCH_API=" + plat.URL(), "BENCH_TOKEN=" + plat.Token(), "BENCH_HANDLERS=" + strconv.Itoa(o.scripts),
			// discord.js limits itself to Discord's default 50 requests/s;
			// the latency workload needs ten times that.
			"BENCH_GLOBAL_RPS=1000000"},
	}, nil
}
