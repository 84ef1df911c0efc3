package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	uncordemu "github.com/botrun/botrun/host/emulator/uncord"
)

// TestExamplesOnUncord runs the unchanged ping, welcome and counter
// examples, in each language, on an Uncord server (the Uncord emulator):
// !ping is answered, /echo works as a text command, a member joining is
// welcomed (the script subscribes to GUILD_MEMBER_ADD; Uncord sends
// MEMBER_ADD) and the counter counts.
func TestExamplesOnUncord(t *testing.T) {
	for _, lang := range []string{"lua", "js"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			es := uncordemu.New(uncordemu.Options{})
			if err := es.Start("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			defer es.Close()
			out, unsub := es.Subscribe()
			defer unsub()
			dir := t.TempDir()
			copyExamples(t, dir, "lua", "ping", "welcome", "counter")
			copyExamples(t, dir, "js", "ping", "welcome", "counter")
			writeFiles(t, dir, map[string]string{"botrun.toml": fmt.Sprintf("platform = \"uncord\"\nbase_url = %q\n\n[scripts.welcome]\nchannel_id = %q\n",
				es.URL(), es.ChannelID("welcome"))})
			email, password := es.Credentials()
			p := start(t, []string{"UNCORD_EMAIL=" + email, "UNCORD_PASSWORD=" + password}, "run", dir, "--prefer", lang)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := es.WaitSessions(ctx, 1); err != nil {
				t.Fatalf("bot did not connect: %v\n%s", err, p.stderr)
			}
			general := es.ChannelID("general")
			wait := func(match func(uncordemu.Output) bool, what string) {
				t.Helper()
				var seen []string
				for {
					select {
					case o := <-out:
						if match(o) {
							return
						}
						seen = append(seen, o.String())
					case <-ctx.Done():
						t.Fatalf("no %s from the bot; saw:\n%s\nstderr:\n%s", what, strings.Join(seen, "\n"), p.stderr)
					}
				}
			}
			reply := func(content string) func(uncordemu.Output) bool {
				return func(o uncordemu.Output) bool {
					return o.Kind == uncordemu.OutMessage && o.Content == content && o.ReplyToAuthor == "tester" && o.ChannelID == general
				}
			}
			for _, step := range []struct{ send, want string }{
				{"!ping", "pong"},
				{"/echo hello uncord", "hello uncord"},
				{"/echo text:named option", "named option"},
				{"!count", "count: 1"},
				{"!count", "count: 2"},
			} {
				if _, err := es.InjectMessage(general, step.send); err != nil {
					t.Fatal(err)
				}
				wait(reply(step.want), fmt.Sprintf("%q answering %q", step.want, step.send))
			}
			if _, err := es.AddMember("newbie"); err != nil {
				t.Fatal(err)
			}
			wait(func(o uncordemu.Output) bool {
				return o.Kind == uncordemu.OutMessage && o.Content == "Welcome, newbie!" && o.ChannelID == es.ChannelID("welcome")
			}, "welcome message")
			p.signal(syscall.SIGTERM)
			if code := p.wait(); code != 0 {
				t.Errorf("exit %d\n%s", code, p.stderr)
			}
			if strings.Contains(p.stderr.String(), password) {
				t.Error("the password appears in the log")
			}
			if errOut := p.stderr.String(); !strings.Contains(errOut, "--prefer") {
				t.Errorf("stderr does not say which twins run:\n%s", errOut)
			}
		})
	}
}

// TestUncordConsolePipe runs the examples with platform = "uncord" and no
// credentials: botrun starts the Uncord emulator and reads the console
// from a pipe. Commands are plain messages on Uncord; the feedback
// example's command answers, without its button (Uncord has none).
func TestUncordConsolePipe(t *testing.T) {
	for _, lang := range []string{"lua", "js"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			copyExamples(t, dir, "lua", "ping", "counter", "feedback")
			copyExamples(t, dir, "js", "ping", "counter", "feedback")
			writeFiles(t, dir, map[string]string{"botrun.toml": "platform = \"uncord\"\nbase_url = \"https://chat.example.org\"\n"})
			in := "!ping\n/echo text:hello there\n/echo\n!count\n!count\n/feedback topic:idea area:docs\n/help\n"
			out, errOut, code := runCmd(t, in, nil, "run", dir, "--prefer", lang)
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			for _, want := range []string{
				"connected to the built-in Uncord emulator as botrun",
				"bot → #general: pong (reply to tester)",
				"bot → #general: hello there (reply to tester)",
				"bot → #general: Missing text.\nUsage: /echo text:<string> (reply to tester)",
				"bot → #general: count: 1 (reply to tester)",
				"bot → #general: count: 2 (reply to tester)",
				"bot → #general: Feedback about **idea (docs)**. Press the button to write it. (reply to tester)",
				"slash commands: /echo, /feedback",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s\nstderr:\n%s", want, out, errOut)
				}
			}
			if strings.Contains(out, "did not reach the bot") {
				t.Errorf("the console missed a line the bot answered (a usage reply counts):\n%s", out)
			}
			if !strings.Contains(errOut, "running on the built-in Uncord emulator (base_url in botrun.toml is ignored)") {
				t.Errorf("stderr does not say base_url is ignored:\n%s", errOut)
			}
			// The button is dropped with a warning, as on a real server.
			if !strings.Contains(errOut, "dropped") || !strings.Contains(errOut, "components") {
				t.Errorf("stderr does not mention the dropped components:\n%s", errOut)
			}
			// The emulator's login is not saved in the bot directory, where
			// it would later be taken for a real server's.
			if _, err := os.Stat(filepath.Join(dir, ".botrun", "uncord.json")); !os.IsNotExist(err) {
				t.Errorf("emulator login saved in the bot directory (stat: %v)", err)
			}
			// The count lives in the store and survives a restart.
			out, errOut, code = runCmd(t, "!count\n", []string{"BOTRUN_PREFER=" + lang}, "run", dir)
			if code != 0 || !strings.Contains(out, "count: 3") {
				t.Errorf("after restart: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
		})
	}
}

// TestUncordEmulatorCommand serves the Uncord emulator with `botrun
// emulator --platform uncord` and runs a bot against it with the base_url
// and credentials from its banner; the test user, logged in over the API,
// gets an answer to !ping.
func TestUncordEmulatorCommand(t *testing.T) {
	t.Parallel()
	emu := start(t, nil, "emulator", "--platform", "uncord", "--addr", "127.0.0.1:0")
	emu.stdout.waitFor(t, 1, "botrun run mybot")
	banner := emu.stdout.String()
	field := func(re string) string {
		t.Helper()
		m := regexp.MustCompile(re).FindStringSubmatch(banner)
		if m == nil {
			t.Fatalf("banner lacks %s:\n%s", re, banner)
		}
		return m[1]
	}
	baseURL := field(`base_url = "(http://127\.0\.0\.1:\d+)"`)
	email := field(`UNCORD_EMAIL=(\S+)`)
	password := field(`UNCORD_PASSWORD=(\S+)`)
	general := field(`#general (\S+),`)

	dir := t.TempDir()
	copyExamples(t, dir, "lua", "ping")
	writeFiles(t, dir, map[string]string{"botrun.toml": fmt.Sprintf("platform = \"uncord\"\nbase_url = %q\n", baseURL)})
	bot := start(t, []string{"UNCORD_EMAIL=" + email, "UNCORD_PASSWORD=" + password}, "run", dir)
	bot.stderr.waitFor(t, 1, "gateway: ready")

	api := baseURL + "/api/v1"
	call := func(method, path, token string, body any) json.RawMessage {
		t.Helper()
		b, _ := json.Marshal(body)
		req, err := http.NewRequest(method, api+path, bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var env struct {
			Data  json.RawMessage
			Error json.RawMessage
		}
		if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s (%v)", method, path, resp.StatusCode, env.Error, err)
		}
		return env.Data
	}
	var login struct {
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal(call("POST", "/auth/login", "", map[string]string{"email": "tester@botrun.test", "password": "tester-password"}), &login)
	var sent struct{ ID string }
	json.Unmarshal(call("POST", "/channels/"+general+"/messages", login.AccessToken, map[string]string{"content": "!ping"}), &sent)

	// The emulator runs in another process: poll the channel (well within
	// its per-IP rate limit) until the reply is there.
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for answered := false; !answered; {
		var msgs []struct {
			Content   string
			ReplyToID *string `json:"reply_to_id"`
		}
		json.Unmarshal(call("GET", "/channels/"+general+"/messages", login.AccessToken, nil), &msgs)
		for _, m := range msgs {
			if m.Content == "pong" && m.ReplyToID != nil && *m.ReplyToID == sent.ID {
				answered = true
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no pong in #general: %+v\nbot stderr:\n%s", msgs, bot.stderr)
		}
		<-tick.C
	}
	bot.signal(syscall.SIGTERM)
	if code := bot.wait(); code != 0 {
		t.Errorf("bot exit %d\n%s", code, bot.stderr)
	}
	emu.signal(syscall.SIGINT)
	if code := emu.wait(); code != 0 {
		t.Errorf("emulator exit %d\n%s", code, emu.stderr)
	}
}
