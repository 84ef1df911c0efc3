package main

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestCheckPeers is the end-to-end check that real Discord clients work
// against the emulator. It builds and installs the peers (network: the Go
// module proxy and npm), so it runs only with BOTRUN_BENCH_E2E=1:
//
//	BOTRUN_BENCH_E2E=1 go test -run TestCheckPeers -v ./bench/cmd/botrun-bench
func TestCheckPeers(t *testing.T) {
	if os.Getenv("BOTRUN_BENCH_E2E") != "1" {
		t.Skip("set BOTRUN_BENCH_E2E=1 to build discordgo, npm-install discord.js and check them against the emulator")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	w := &workspace{root: root, tmp: t.TempDir()}
	var peers []*peer
	for _, p := range allPeers {
		if p.name == "discordjs" {
			if _, err := exec.LookPath("npm"); err != nil {
				t.Log("npm not installed: skipping discord.js")
				continue
			}
		}
		if err := p.prepare(ctx, w); err != nil {
			t.Fatalf("prepare %s: %v", p.name, err)
		}
		peers = append(peers, p)
	}
	if err := checkAll(ctx, w, peers); err != nil {
		t.Fatal(err)
	}
}
