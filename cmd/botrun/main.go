package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// Exit codes of the CLI contract.
const (
	exitOK    = 0
	exitFatal = 1
	exitUsage = 2
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// app is one invocation: its streams and environment, so tests can run the
// CLI in-process as well as the built binary.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// profiles are the BOTRUN_*PROFILE profiles; nil in tests.
	profiles *profiles
}

type command struct {
	summary string
	run     func(ctx context.Context, a *app, args []string) int
}

var subcommands map[string]command

func init() {
	subcommands = map[string]command{
		"run":      {"run every script in a bot directory", cmdRun},
		"check":    {"load every script without connecting and report errors", cmdCheck},
		"emulator": {"run the built-in Discord (or Uncord) emulator alone", cmdEmulator},
		"init":     {"create a starter bot", cmdInit},
		"types":    {"write editor type definitions into a bot directory", cmdTypes},
		"version":  {"print the version", cmdVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	prof, err := startProfile(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "botrun:", err)
		os.Exit(exitFatal)
	}
	a := &app{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, profiles: prof}
	code := a.main(ctx, os.Args[1:])
	if err := prof.stop(); err != nil {
		fmt.Fprintln(os.Stderr, "botrun:", err)
	}
	stop()
	os.Exit(code)
}

func (a *app) main(ctx context.Context, args []string) int {
	if len(args) == 0 {
		a.usage(a.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		if len(args) > 1 {
			if c, ok := subcommands[args[1]]; ok {
				return c.run(ctx, a, []string{"--help"})
			}
		}
		a.usage(a.stdout)
		return exitOK
	case "--version", "-version":
		return cmdVersion(ctx, a, nil)
	}
	c, ok := subcommands[args[0]]
	if !ok {
		fmt.Fprintf(a.stderr, "botrun: unknown command %q\n\n", args[0])
		a.usage(a.stderr)
		return exitUsage
	}
	return c.run(ctx, a, args[1:])
}

func (a *app) usage(w io.Writer) {
	fmt.Fprintln(w, "botrun runs chat bots written as Lua or JavaScript scripts.")
	fmt.Fprintln(w, "\nUsage:\n  botrun <command> [flags] [args]\n\nCommands:")
	names := make([]string, 0, len(subcommands))
	for n := range subcommands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, subcommands[n].summary)
	}
	fmt.Fprintln(w, `
Examples:
  botrun init mybot --lang lua     # create a starter bot
  botrun run mybot                 # no DISCORD_TOKEN: local emulator and console
  DISCORD_TOKEN=... botrun run mybot
  botrun check mybot               # report script errors as path:line:col

Run "botrun <command> --help" for a command's flags.`)
}

// newFlagSet returns a flag set whose --help prints the command's usage,
// examples and flags to stdout.
func (a *app) newFlagSet(name, args, examples string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: botrun %s %s\n\n%s\n\nExamples:\n%s\n", name, args, subcommands[name].summary, examples)
		var b strings.Builder
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(w)
		if b.Len() > 0 {
			fmt.Fprintf(w, "\nFlags:\n%s", b.String())
		}
	}
	return fs
}

// parse parses flags allowing them after positional arguments too
// ("botrun run mybot --watch=false"). It returns the positional arguments,
// or an exit code when parsing ended the command (help or bad usage).
func (a *app) parse(fs *flag.FlagSet, args []string) ([]string, int, bool) {
	var pos []string
	usage := fs.Usage
	fs.Usage = func() {} // the flag package would print it on every error
	defer func() { fs.Usage = usage }()
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(a.stdout)
			usage()
			return nil, exitOK, false
		}
		if err != nil {
			fmt.Fprintf(a.stderr, "Run \"botrun %s --help\" for usage.\n", fs.Name())
			return nil, exitUsage, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func cmdVersion(_ context.Context, a *app, args []string) int {
	fs := a.newFlagSet("version", "", "  botrun version")
	if _, code, ok := a.parse(fs, args); !ok {
		return code
	}
	fmt.Fprintln(a.stdout, "botrun", version)
	return exitOK
}

// usageErr reports bad usage of a command.
func (a *app) usageErr(cmd, format string, args ...any) int {
	fmt.Fprintf(a.stderr, "botrun %s: %s\nRun \"botrun %s --help\" for usage.\n", cmd, fmt.Sprintf(format, args...), cmd)
	return exitUsage
}
