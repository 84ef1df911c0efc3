package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/botrun/botrun/host/emulator"
)

func copyExamples(t *testing.T, dir, lang string, names ...string) {
	t.Helper()
	for _, n := range names {
		body, err := os.ReadFile(filepath.Join("../../scripts/examples", n+"."+lang))
		if err != nil {
			t.Fatal(err)
		}
		writeFiles(t, dir, map[string]string{n + "." + lang: string(body)})
	}
}

// TestExamplesOverConsolePipe runs the ping and counter examples with no
// token: botrun starts the emulator and reads the console from a pipe.
func TestExamplesOverConsolePipe(t *testing.T) {
	for _, lang := range []string{"lua", "js"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			// Both twins side by side, as in scripts/examples; --prefer
			// picks the language under test.
			dir := t.TempDir()
			copyExamples(t, dir, "lua", "ping", "counter")
			copyExamples(t, dir, "js", "ping", "counter")
			other := map[string]string{"lua": "js", "js": "lua"}[lang]
			out, errOut, code := runCmd(t, "!ping\n/echo text:hello there\n!count\n!count\n", nil, "run", dir, "--prefer", lang)
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			for _, want := range []string{
				"bot → #general: pong (reply to tester)",
				"bot → /echo: hello there",
				"bot → #general: count: 1 (reply to tester)",
				"bot → #general: count: 2 (reply to tester)",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s\nstderr:\n%s", want, out, errOut)
				}
			}
			if want := "--prefer " + other + " runs the others"; !strings.Contains(errOut, want) || !strings.Contains(errOut, "ping."+other) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
			// The count survives a restart: it lives in the store.
			out, errOut, code = runCmd(t, "!count\n", []string{"BOTRUN_PREFER=" + lang}, "run", dir)
			if code != 0 || !strings.Contains(out, "count: 3") {
				t.Errorf("after restart: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
		})
	}
}

// TestWelcomeAgainstEmulator runs the welcome example against an emulator
// started by the test, as a bot would run against Discord.
func TestWelcomeAgainstEmulator(t *testing.T) {
	for _, lang := range []string{"lua", "js"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			emu, out := startEmulator(t, emulator.Options{})
			dir := t.TempDir()
			copyExamples(t, dir, lang, "welcome", "ping")
			writeFiles(t, dir, map[string]string{"botrun.toml": fmt.Sprintf("[scripts.welcome]\nchannel_id = %q\n", emu.ChannelID("welcome"))})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			p := startOn(t, ctx, emu, dir)
			if _, err := emu.AddMember("newbie"); err != nil {
				t.Fatal(err)
			}
			waitOutput(t, ctx, out, func(o emulator.Output) bool {
				return string(o.Kind) == "message" && o.Content == "Welcome, newbie!" && o.ChannelID == emu.ChannelID("welcome")
			})
			if _, err := emu.InjectMessage(emu.ChannelID("general"), "!ping"); err != nil {
				t.Fatal(err)
			}
			waitOutput(t, ctx, out, func(o emulator.Output) bool { return o.Content == "pong" && o.ReplyTo != "" })
			p.signal(syscall.SIGTERM)
			if code := p.wait(); code != 0 {
				t.Errorf("exit %d after SIGTERM\n%s", code, p.stderr)
			}
			if strings.Contains(p.stderr.String(), emu.Token()) {
				t.Error("the token appears in the log")
			}
		})
	}
}

func waitOutput(t *testing.T, ctx context.Context, ch <-chan emulator.Output, match func(emulator.Output) bool) {
	t.Helper()
	var seen []string
	for {
		select {
		case o := <-ch:
			if match(o) {
				return
			}
			seen = append(seen, o.String())
		case <-ctx.Done():
			t.Fatalf("timed out; bot output so far:\n%s", strings.Join(seen, "\n"))
		}
	}
}

// TestHotReloadE2E edits, breaks, renames over and deletes scripts while
// the real binary runs, checking through the console that each change is
// live (or, for a broken save, that the old version keeps running).
func TestHotReloadE2E(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"ping.lua":       `on("MESSAGE_CREATE", function(m) if m.content == "!ping" then m:reply("pong v1") end end)` + "\n",
		"greet/index.js": `const w = require("./words");` + "\n" + `on("MESSAGE_CREATE", async (m) => { if (m.content === "!hi") await m.reply(w.hello); });` + "\n",
		"greet/words.js": `module.exports = { hello: "hello v1" };` + "\n",
	})
	p := start(t, nil, "run", dir)
	p.stdout.waitFor(t, 1, "connected to the built-in emulator")
	p.send("!ping")
	p.stdout.waitFor(t, 1, "pong v1")

	t.Run("save", func(t *testing.T) {
		writeFiles(t, dir, map[string]string{"ping.lua": `on("MESSAGE_CREATE", function(m) if m.content == "!ping" then m:reply("pong v2") end end)` + "\n"})
		p.stderr.waitFor(t, 1, "script reloaded")
		p.send("!ping")
		p.stdout.waitFor(t, 1, "pong v2")
	})
	t.Run("syntax error keeps the old version", func(t *testing.T) {
		writeFiles(t, dir, map[string]string{"ping.lua": "on(\"MESSAGE_CREATE\", function(m)\n  if m.content == then\nend)\n"})
		p.stderr.waitFor(t, 1, "ping.lua:2:")
		p.send("!ping")
		p.stdout.waitFor(t, 2, "pong v2")
	})
	t.Run("atomic save by rename", func(t *testing.T) {
		tmp := filepath.Join(dir, ".ping.lua.swp")
		os.WriteFile(tmp, []byte(`on("MESSAGE_CREATE", function(m) if m.content == "!ping" then m:reply("pong v3") end end)`+"\n"), 0o644)
		if err := os.Rename(tmp, filepath.Join(dir, "ping.lua")); err != nil {
			t.Fatal(err)
		}
		p.stderr.waitFor(t, 2, "script reloaded")
		p.send("!ping")
		p.stdout.waitFor(t, 1, "pong v3")
	})
	t.Run("module", func(t *testing.T) {
		writeFiles(t, dir, map[string]string{"greet/words.js": `module.exports = { hello: "hello v2" };` + "\n"})
		p.stderr.waitFor(t, 3, "script reloaded")
		p.send("!hi")
		p.stdout.waitFor(t, 1, "hello v2")
	})
	t.Run("delete", func(t *testing.T) {
		os.Remove(filepath.Join(dir, "ping.lua"))
		p.stderr.waitFor(t, 1, "script unloaded")
		p.send("!ping")
		p.send("!hi")
		p.stdout.waitFor(t, 2, "hello v2")
		if n := strings.Count(p.stdout.String(), "pong"); n != 4 {
			t.Errorf("%d pongs after deleting ping.lua, want 4:\n%s", n, p.stdout)
		}
	})
	p.stdin.Close()
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d\n%s", code, p.stderr)
	}
}

// TestShutdownDrain sends SIGTERM while a handler waits: the handler
// finishes, its reply is printed, and botrun exits 0.
func TestShutdownDrain(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"slow.js": `on("MESSAGE_CREATE", async (m) => { if (m.content !== "!slow") return; log.info("slow started"); await sleep(400); await m.reply("slow done"); });` + "\n",
	})
	p := start(t, nil, "run", dir)
	p.stdout.waitFor(t, 1, "connected to the built-in emulator")
	p.send("!slow")
	p.stderr.waitFor(t, 1, "slow started")
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d\n%s", code, p.stderr)
	}
	if !strings.Contains(p.stdout.String(), "bot → #general: slow done") {
		t.Errorf("the running handler did not finish:\nstdout:\n%s\nstderr:\n%s", p.stdout, p.stderr)
	}
}

// TestLogFormatPrecedence: file < env < flag, visible in the log format.
func TestLogFormatPrecedence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.lua": `log.info("hello from a")` + "\n", "botrun.toml": "log_format = \"text\"\n"})
	isJSON := func(stderr string) bool {
		for _, l := range strings.Split(stderr, "\n") {
			if strings.Contains(l, "hello from a") {
				var m map[string]any
				return json.Unmarshal([]byte(l), &m) == nil && m["script"] == "a"
			}
		}
		t.Fatalf("no log line from the script:\n%s", stderr)
		return false
	}
	_, errOut, _ := runCmd(t, "", nil, "run", dir)
	if isJSON(errOut) {
		t.Errorf("file says text, got JSON:\n%s", errOut)
	}
	if !strings.Contains(errOut, "[a] hello from a") {
		t.Errorf("text log lacks the script name:\n%s", errOut)
	}
	_, errOut, _ = runCmd(t, "", []string{"BOTRUN_LOG_FORMAT=json"}, "run", dir)
	if !isJSON(errOut) {
		t.Errorf("env says json, got:\n%s", errOut)
	}
	_, errOut, _ = runCmd(t, "", []string{"BOTRUN_LOG_FORMAT=json"}, "run", dir, "--log-format=text")
	if isJSON(errOut) {
		t.Errorf("flag says text, got JSON:\n%s", errOut)
	}
}

// TestFatalExits: a rejected token or disallowed intents end botrun with
// exit 1 and a message saying what to do, without printing the token.
func TestFatalExits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyExamples(t, dir, "lua", "ping")
	t.Run("bad token", func(t *testing.T) {
		emu, _ := startEmulator(t, emulator.Options{Token: "the-right-token"})
		_, errOut, code := runCmd(t, "", []string{"BOTRUN_API_URL=" + emu.APIBase(), "DISCORD_TOKEN=a-wrong-token-1234"}, "run", dir)
		if code != 1 {
			t.Errorf("exit %d, want 1\n%s", code, errOut)
		}
		if !strings.Contains(errOut, "token is invalid") {
			t.Errorf("no actionable message:\n%s", errOut)
		}
		if strings.Contains(errOut, "a-wrong-token-1234") {
			t.Errorf("token printed:\n%s", errOut)
		}
	})
	t.Run("disallowed intents", func(t *testing.T) {
		emu, _ := startEmulator(t, emulator.Options{AllowedIntents: emulator.NoPrivilegedIntents})
		_, errOut, code := runCmd(t, "", []string{"BOTRUN_API_URL=" + emu.APIBase(), "DISCORD_TOKEN=" + emu.Token()}, "run", dir)
		if code != 1 || !strings.Contains(errOut, "4014") || !strings.Contains(errOut, "MESSAGE_CONTENT") {
			t.Errorf("exit %d, want 1 with a 4014 message naming MESSAGE_CONTENT:\n%s", code, errOut)
		}
	})
}
