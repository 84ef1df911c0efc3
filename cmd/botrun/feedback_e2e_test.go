package main

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/botrun/botrun/host/emulator"
)

// TestFeedbackExample drives the feedback example through a command, an
// autocomplete, a button and a modal, against an emulator started by the
// test, in both languages.
func TestFeedbackExample(t *testing.T) {
	for _, lang := range []string{"lua", "js"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			emu, out := startEmulator(t, emulator.Options{})
			dir := t.TempDir()
			copyExamples(t, dir, lang, "feedback")
			p := start(t, []string{"BOTRUN_API_URL=" + emu.APIBase(), "DISCORD_TOKEN=" + emu.Token()}, "run", dir)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			waitOutput(t, ctx, out, func(o emulator.Output) bool { return o.Kind == emulator.OutCommands && o.Count == 1 })

			respond := func(spec emulator.InteractionSpec) emulator.Response {
				t.Helper()
				pend, err := emu.InjectInteraction(spec)
				if err != nil {
					t.Fatal(err)
				}
				r, err := pend.Wait(ctx)
				if err != nil {
					t.Fatalf("no response to %+v: %v\nstderr:\n%s", spec, err, p.stderr)
				}
				return r
			}
			r := respond(emulator.InteractionSpec{Kind: emulator.KindCommand, Name: "feedback",
				Options: []emulator.Option{{Name: "topic", Value: "idea"}}})
			if !r.Ephemeral || !strings.Contains(r.Content, "Feedback about **idea**") {
				t.Errorf("command response = %+v", r)
			}
			r = respond(emulator.InteractionSpec{Kind: emulator.KindAutocomplete, Name: "feedback",
				Options: []emulator.Option{{Name: "topic", Value: "idea"}, {Name: "area", Value: "do", Focused: true}}})
			if r.Type != 8 || !strings.Contains(string(r.Data), `"docs"`) || strings.Contains(string(r.Data), "timers") {
				t.Errorf("autocomplete response = %d %s", r.Type, r.Data)
			}
			r = respond(emulator.InteractionSpec{Kind: emulator.KindComponent, CustomID: "feedback:open:idea"})
			if r.Type != 9 || !strings.Contains(string(r.Data), "feedback_form:idea") {
				t.Errorf("button response = %d %s", r.Type, r.Data)
			}
			r = respond(emulator.InteractionSpec{Kind: emulator.KindModal, CustomID: "feedback_form:idea",
				Fields: []emulator.Field{{CustomID: "text", Value: "more examples, please"}}})
			if !r.Ephemeral || !strings.Contains(r.Content, "Thanks for your feedback on idea!") {
				t.Errorf("modal response = %+v", r)
			}
			p.signal(syscall.SIGTERM)
			if code := p.wait(); code != 0 {
				t.Errorf("exit %d\n%s", code, p.stderr)
			}
		})
	}
}
