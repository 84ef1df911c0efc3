// Command botrun-bench runs botrun's peer benchmark on this machine: the
// same workloads through botrun (Lua handler), botrun (JS handler),
// discordgo (Go handler) and discord.js (JS handler), each against its own
// in-process emulator, and prints Markdown tables of medians with each
// peer's ratio to botrun. Every peer receives uncompressed JSON; botrun
// also runs the throughput workload with zlib-stream (botrun-lua-zlib,
// botrun-js-zlib) to show what compression costs. See docs/benchmarks.md.
//
//	go run ./bench/cmd/botrun-bench                 # everything, 3 runs
//	go run ./bench/cmd/botrun-bench -check          # can each peer answer !ping?
//	go run ./bench/cmd/botrun-bench -peers botrun-lua,discordgo -workloads throughput
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

type config struct {
	peers       []*peer
	workloads   map[string]bool
	runs        int
	duration    time.Duration // target length of a throughput run
	rate        int           // latency: messages per second
	latencyFor  time.Duration
	settle      time.Duration // idle memory: wait after READY
	check       bool
	keep        bool
	out         string
	reloadPings time.Duration
}

var workloadNames = []string{"throughput", "latency", "memory", "botrun"}

func main() {
	if err := mainErr(); err != nil {
		fmt.Fprintln(os.Stderr, "botrun-bench:", err)
		os.Exit(1)
	}
}

func mainErr() error {
	var c config
	peers := flag.String("peers", strings.Join(peerNames(), ","), "peers to run, comma-separated")
	workloads := flag.String("workloads", strings.Join(workloadNames, ","), "workloads to run, comma-separated")
	flag.IntVar(&c.runs, "runs", 3, "runs per figure; tables show the median")
	flag.DurationVar(&c.duration, "duration", 5*time.Second, "target length of one throughput run")
	flag.IntVar(&c.rate, "rate", 500, "latency workload: !ping messages per second")
	flag.DurationVar(&c.latencyFor, "latency-duration", 10*time.Second, "latency workload: length of one run")
	flag.DurationVar(&c.settle, "settle", 2*time.Second, "idle memory: time after the first answer before reading RSS")
	flag.DurationVar(&c.reloadPings, "reload-probe", 2*time.Millisecond, "hot reload: interval between probe pings")
	flag.BoolVar(&c.check, "check", false, "only check that each peer connects to the emulator and answers !ping")
	flag.BoolVar(&c.keep, "keep", false, "keep the temporary folder (built peers, npm install, bot dirs)")
	flag.StringVar(&c.out, "o", "", "also write the report to this file")
	botrunBin := flag.String("botrun", "", "use this botrun binary instead of building ./cmd/botrun")
	flag.Parse()
	for _, n := range strings.Split(*peers, ",") {
		i := slices.IndexFunc(allPeers, func(p *peer) bool { return p.name == strings.TrimSpace(n) })
		if i < 0 {
			return fmt.Errorf("unknown peer %q (have %s)", n, strings.Join(peerNames(), ", "))
		}
		c.peers = append(c.peers, allPeers[i])
	}
	c.workloads = map[string]bool{}
	for _, n := range strings.Split(*workloads, ",") {
		if !slices.Contains(workloadNames, strings.TrimSpace(n)) {
			return fmt.Errorf("unknown workload %q (have %s)", n, strings.Join(workloadNames, ", "))
		}
		c.workloads[strings.TrimSpace(n)] = true
	}
	if c.runs < 1 || c.rate < 1 {
		return errors.New("-runs and -rate must be at least 1")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root, err := repoRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "botrun-bench-")
	if err != nil {
		return err
	}
	if c.keep {
		fmt.Fprintln(os.Stderr, "keeping", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	w := &workspace{root: root, tmp: tmp}
	if *botrunBin != "" {
		if w.botrun, err = filepath.Abs(*botrunBin); err != nil {
			return err
		}
	}
	for _, p := range c.peers {
		fmt.Fprintf(os.Stderr, "preparing %s...\n", p.name)
		if err := p.prepare(ctx, w); err != nil {
			return fmt.Errorf("prepare %s: %w", p.name, err)
		}
	}
	if c.check {
		return checkAll(ctx, w, c.peers)
	}
	rep, err := benchmark(ctx, w, c)
	if rep != "" {
		fmt.Print(rep)
		if c.out != "" {
			if werr := os.WriteFile(c.out, []byte(rep), 0o644); werr != nil {
				err = errors.Join(err, werr)
			}
		}
	}
	return err
}

func peerNames() []string {
	var names []string
	for _, p := range allPeers {
		names = append(names, p.name)
	}
	return names
}

// repoRoot finds the main module's root from the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(b), "module github.com/botrun/botrun\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the botrun repository (no go.mod of github.com/botrun/botrun above the working directory)")
		}
		dir = parent
	}
}
