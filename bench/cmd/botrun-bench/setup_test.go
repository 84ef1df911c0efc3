package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/botrun/botrun/bench/load"
	"github.com/botrun/botrun/engine/jsondoc"
)

// TestChatFrameIsAboutOneKB checks the throughput workload's dispatch
// against a real emulator: valid JSON of about 1 KB carrying ordinary chat.
func TestChatFrameIsAboutOneKB(t *testing.T) {
	f, err := chatFrame()
	if err != nil {
		t.Fatal(err)
	}
	if len(f) < 800 || len(f) > 1400 {
		t.Fatalf("dispatch data is %d bytes, want about 1 KB", len(f))
	}
	d, err := jsondoc.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := d.Root().Get("content")
	if c.Str() != load.ChatContent(0) || strings.HasPrefix(c.Str(), "!") {
		t.Fatalf("content %q is not the first throughput message's", c.Str())
	}
}

// TestBotDirectoryLayout checks what the botrun-only workloads rely on:
// the bench script has the "pong " the reload rewrites, and quiet extra
// scripts no longer subscribe to MESSAGE_CREATE.
func TestBotDirectoryLayout(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range allPeers {
		if !p.botrun {
			continue
		}
		ext := p.ext
		t.Run(p.name, func(t *testing.T) {
			w := &workspace{root: root, tmp: t.TempDir()}
			cmd, err := p.command(w, fixedPlatform{}, startOpts{scripts: 3, watch: true, quiet: true})
			if err != nil {
				t.Fatal(err)
			}
			// Every peer but the zlib variants receives uncompressed JSON.
			toml, err := os.ReadFile(filepath.Join(cmd.Dir, "botrun.toml"))
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("\ncompress = %t\n", p.zlib); !strings.Contains(string(toml), want) || strings.HasSuffix(p.name, "-zlib") != p.zlib {
				t.Fatalf("%s: botrun.toml %q lacks %q", p.name, toml, want)
			}
			bench, err := os.ReadFile(filepath.Join(cmd.Dir, "bench."+ext))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(bench, []byte(`"pong "`)) {
				t.Fatalf("bench.%s has no \"pong \" for the reload workload to change", ext)
			}
			idle, err := os.ReadFile(filepath.Join(cmd.Dir, "idle002."+ext))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(idle, []byte("MESSAGE_CREATE")) || !bytes.Contains(idle, []byte("TYPING_START")) {
				t.Fatalf("quiet idle script still subscribes to messages:\n%s", idle)
			}
			env := strings.Join(cmd.Env, " ")
			for _, want := range []string{"DISCORD_TOKEN=tok", "BOTRUN_API_URL=http://127.0.0.1:9/api/v10", "BOTRUN_WATCH=true"} {
				if !strings.Contains(env, want) {
					t.Errorf("env %q lacks %q", env, want)
				}
			}
		})
	}
}

// fixedPlatform supplies the addresses a command line needs; nothing is
// sent through it.
type fixedPlatform struct{ load.Platform }

func (fixedPlatform) APIBase() string { return "http://127.0.0.1:9/api/v10" }
func (fixedPlatform) URL() string     { return "http://127.0.0.1:9" }
func (fixedPlatform) Token() string   { return "tok" }
