package main

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	uncordemu "github.com/botrun/botrun/host/emulator/uncord"
)

// TestPingOnUncord runs the unchanged ping example on an Uncord server
// (the Uncord emulator): !ping is answered, and the /echo command works
// as a text command.
func TestPingOnUncord(t *testing.T) {
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
			copyExamples(t, dir, lang, "ping")
			writeFiles(t, dir, map[string]string{"botrun.toml": fmt.Sprintf("platform = \"uncord\"\nbase_url = %q\n", es.URL())})
			email, password := es.Credentials()
			p := start(t, []string{"UNCORD_EMAIL=" + email, "UNCORD_PASSWORD=" + password}, "run", dir)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := es.WaitSessions(ctx, 1); err != nil {
				t.Fatalf("bot did not connect: %v\n%s", err, p.stderr)
			}
			wait := func(want string) {
				t.Helper()
				var seen []string
				for {
					select {
					case o := <-out:
						if strings.Contains(o.Content, want) {
							return
						}
						seen = append(seen, o.String())
					case <-ctx.Done():
						t.Fatalf("no %q from the bot; saw:\n%s\nstderr:\n%s", want, strings.Join(seen, "\n"), p.stderr)
					}
				}
			}
			if _, err := es.InjectMessage(es.ChannelID("general"), "!ping"); err != nil {
				t.Fatal(err)
			}
			wait("pong")
			if _, err := es.InjectMessage(es.ChannelID("general"), "/echo hello uncord"); err != nil {
				t.Fatal(err)
			}
			wait("hello uncord")
			p.signal(syscall.SIGTERM)
			if code := p.wait(); code != 0 {
				t.Errorf("exit %d\n%s", code, p.stderr)
			}
			if strings.Contains(p.stderr.String(), password) {
				t.Error("the password appears in the log")
			}
		})
	}
}
