package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

type respEnv struct {
	f     *fakeDiscord
	clock *manualClock
	r     *Responder
}

func newRespEnv(t *testing.T, opts ResponderOptions) *respEnv {
	t.Helper()
	noLeak(t)
	e := &respEnv{f: newFakeDiscord(t), clock: newManualClock()}
	opts.Clock = e.clock
	e.r = NewResponder(newAPI(e.f.srv.URL), opts)
	t.Cleanup(e.r.Close)
	return e
}

func ixOf(typ int) Interaction {
	return Interaction{ID: "900", Token: "tok", ApplicationID: "42", Type: typ}
}

const (
	cbPath   = "/interactions/900/tok/callback"
	origPath = "/webhooks/42/tok/messages/@original"
	fupPath  = "/webhooks/42/tok"
)

// bodies renders requests as "METHOD path body" lines for comparison.
func bodies(reqs []request) []string {
	var out []string
	for _, r := range reqs {
		line := r.Method + " " + r.Path
		if len(r.Body) > 0 {
			var v any
			_ = json.Unmarshal(r.Body, &v)
			b, _ := json.Marshal(v)
			line += " " + string(b)
		}
		out = append(out, line)
	}
	return out
}

func expect(t *testing.T, f *fakeDiscord, want ...string) {
	t.Helper()
	got := bodies(f.take())
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("requests:\n got %q\nwant %q", got, want)
	}
}

func TestRespondInTime(t *testing.T) {
	e := newRespEnv(t, ResponderOptions{})
	ctx := context.Background()
	ix := ixOf(TypeCommand)
	e.r.Begin(ix, "echo")
	e.clock.Advance(time.Second)
	if _, err := e.r.Respond(ctx, ix, RespondMessage, map[string]any{"content": "hi"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * time.Second) // the deadline timer must be gone
	expect(t, e.f, `POST `+cbPath+` {"data":{"content":"hi"},"type":4}`)

	_, err := e.r.Respond(ctx, ix, RespondMessage, map[string]any{"content": "again"})
	if !errors.Is(err, ErrAlreadyAnswered) || !strings.Contains(err.Error(), "use followup or edit") {
		t.Fatalf("double respond: %v", err)
	}
	if _, err := e.r.Followup(ctx, ix, map[string]any{"content": "more"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.r.EditOriginal(ctx, ix, map[string]any{"content": "edited"}); err != nil {
		t.Fatal(err)
	}
	if err := e.r.DeleteOriginal(ctx, ix); err != nil {
		t.Fatal(err)
	}
	expect(t, e.f,
		`POST `+fupPath+` {"content":"more"}`,
		`PATCH `+origPath+` {"content":"edited"}`,
		`DELETE `+origPath)
}

func TestAutoDefer(t *testing.T) {
	tests := []struct {
		name      string
		typ       int
		ephemeral bool
		defer_    string
	}{
		{"command", TypeCommand, false, `{"type":5}`},
		{"command ephemeral", TypeCommand, true, `{"data":{"flags":64},"type":5}`},
		{"component", TypeComponent, true, `{"type":6}`},
		{"modal submit", TypeModalSubmit, false, `{"type":5}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newRespEnv(t, ResponderOptions{EphemeralDefer: func(owner string) bool { return owner == "quiet" && tt.ephemeral }})
			ctx := context.Background()
			ix := ixOf(tt.typ)
			e.r.Begin(ix, "quiet")
			e.clock.Advance(2499 * time.Millisecond)
			expect(t, e.f) // not yet
			e.clock.Advance(time.Millisecond)
			expect(t, e.f, `POST `+cbPath+` `+tt.defer_)
			// The handler's respond becomes an edit of the deferred response;
			// a defer of its own is a no-op.
			if _, err := e.r.Respond(ctx, ix, RespondDefer, nil); err != nil && tt.typ != TypeComponent {
				t.Fatal(err)
			}
			if _, err := e.r.Respond(ctx, ix, RespondMessage, map[string]any{"content": "slow", "flags": 64}); err != nil {
				t.Fatal(err)
			}
			expect(t, e.f, `PATCH `+origPath+` {"content":"slow"}`)
			if tt.typ == TypeModalSubmit {
				return
			}
			if _, err := e.r.Respond(ctx, ix, RespondModal, map[string]any{"custom_id": "m", "title": "t", "components": []any{1}}); !errors.Is(err, ErrTooLate) {
				t.Fatalf("modal after auto-defer: %v", err)
			}
		})
	}
}

func TestAutocompleteNeverDeferred(t *testing.T) {
	e := newRespEnv(t, ResponderOptions{})
	ix := ixOf(TypeAutocomplete)
	e.r.Begin(ix, "o")
	e.clock.Advance(10 * time.Second)
	expect(t, e.f)
	if e.clock.pending() != 0 {
		t.Fatal("autocomplete armed a deadline timer")
	}
}

func TestScriptDeferThenRespond(t *testing.T) {
	e := newRespEnv(t, ResponderOptions{})
	ctx := context.Background()
	ix := ixOf(TypeCommand)
	e.r.Begin(ix, "o")
	if _, err := e.r.Respond(ctx, ix, RespondDefer, map[string]any{"flags": 64}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(3 * time.Second)
	if _, err := e.r.Respond(ctx, ix, RespondMessage, map[string]any{"content": "done"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.r.Respond(ctx, ix, RespondDefer, nil); !errors.Is(err, ErrAlreadyAnswered) {
		t.Fatalf("second defer: %v", err)
	}
	expect(t, e.f, `POST `+cbPath+` {"data":{"flags":64},"type":5}`, `PATCH `+origPath+` {"content":"done"}`)
}

func TestLateResponse(t *testing.T) {
	e := newRespEnv(t, ResponderOptions{})
	ctx := context.Background()
	ix := ixOf(TypeCommand)
	e.r.Begin(ix, "o")
	e.clock.Advance(15*time.Minute + time.Second)
	e.f.take() // the automatic defer
	for name, call := range map[string]func() error{
		"respond": func() error {
			_, err := e.r.Respond(ctx, ix, RespondMessage, map[string]any{"content": "x"})
			return err
		},
		"followup": func() error { _, err := e.r.Followup(ctx, ix, map[string]any{"content": "x"}); return err },
		"edit":     func() error { _, err := e.r.EditOriginal(ctx, ix, map[string]any{"content": "x"}); return err },
		"delete":   func() error { return e.r.DeleteOriginal(ctx, ix) },
	} {
		if err := call(); !errors.Is(err, ErrExpired) || !strings.Contains(err.Error(), "15 minutes") {
			t.Errorf("%s after 15 min: %v", name, err)
		}
	}
	expect(t, e.f)
}

func TestFail(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	t.Run("unanswered", func(t *testing.T) {
		e := newRespEnv(t, ResponderOptions{})
		ix := ixOf(TypeCommand)
		e.r.Begin(ix, "o")
		if err := e.r.Fail(ctx, ix, boom); err != nil {
			t.Fatal(err)
		}
		expect(t, e.f, `POST `+cbPath+` {"data":{"content":"`+FailedText+`","flags":64},"type":4}`)
	})
	t.Run("after respond", func(t *testing.T) {
		e := newRespEnv(t, ResponderOptions{})
		ix := ixOf(TypeCommand)
		e.r.Begin(ix, "o")
		_, _ = e.r.Respond(ctx, ix, RespondMessage, map[string]any{"content": "half"})
		e.f.take()
		if err := e.r.Fail(ctx, ix, boom); err != nil {
			t.Fatal(err)
		}
		expect(t, e.f, `POST `+fupPath+` {"content":"`+FailedText+`","flags":64}`)
	})
	t.Run("after auto-defer", func(t *testing.T) {
		e := newRespEnv(t, ResponderOptions{})
		ix := ixOf(TypeCommand)
		e.r.Begin(ix, "o")
		e.clock.Advance(3 * time.Second)
		e.f.take()
		if err := e.r.Fail(ctx, ix, boom); err != nil {
			t.Fatal(err)
		}
		expect(t, e.f, `PATCH `+origPath+` {"content":"`+FailedText+`"}`)
	})
	t.Run("autocomplete", func(t *testing.T) {
		e := newRespEnv(t, ResponderOptions{})
		ix := ixOf(TypeAutocomplete)
		e.r.Begin(ix, "o")
		if err := e.r.Fail(ctx, ix, boom); err != nil {
			t.Fatal(err)
		}
		expect(t, e.f, `POST `+cbPath+` {"data":{"choices":[]},"type":8}`)
	})
}

func TestUnavailable(t *testing.T) {
	e := newRespEnv(t, ResponderOptions{})
	if err := e.r.Unavailable(context.Background(), ixOf(TypeCommand)); err != nil {
		t.Fatal(err)
	}
	expect(t, e.f, `POST `+cbPath+` {"data":{"content":"This command isn't available right now.","flags":64},"type":4}`)
}

func TestFollowupBeforeRespond(t *testing.T) {
	e := newRespEnv(t, ResponderOptions{})
	ctx := context.Background()
	ix := ixOf(TypeCommand)
	e.r.Begin(ix, "o")
	if _, err := e.r.EditOriginal(ctx, ix, map[string]any{"content": "x"}); !errors.Is(err, ErrNotAnswered) {
		t.Fatalf("edit before respond: %v", err)
	}
	if _, err := e.r.Followup(ctx, ix, map[string]any{"content": "first"}); err != nil {
		t.Fatal(err)
	}
	expect(t, e.f, `POST `+cbPath+` {"data":{"content":"first"},"type":4}`)
}

func TestResponseChecks(t *testing.T) {
	choices := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"name": "n", "value": "v"}
		}
		return out
	}
	tests := []struct {
		name string
		typ  int
		kind int
		data map[string]any
		want string
	}{
		{"25 choices", TypeAutocomplete, RespondAutocomplete, map[string]any{"choices": choices(25)}, ""},
		{"26 choices", TypeAutocomplete, RespondAutocomplete, map[string]any{"choices": choices(26)}, "26 autocomplete choices"},
		{"choice without name", TypeAutocomplete, RespondAutocomplete, map[string]any{"choices": []any{map[string]any{"value": "v"}}}, "name must be 1-100"},
		{"choice bad value", TypeAutocomplete, RespondAutocomplete, map[string]any{"choices": []any{map[string]any{"name": "n", "value": true}}}, "string or a number"},
		{"choice int64 value", TypeAutocomplete, RespondAutocomplete, map[string]any{"choices": []any{map[string]any{"name": "n", "value": int64(3)}}}, ""},
		{"message to autocomplete", TypeAutocomplete, RespondMessage, map[string]any{"content": "x"}, "only be answered with choices"},
		{"choices to a command", TypeCommand, RespondAutocomplete, map[string]any{}, "only answer autocomplete"},
		{"update a command", TypeCommand, RespondUpdate, map[string]any{"content": "x"}, "only answer components"},
		{"modal to modal", TypeModalSubmit, RespondModal, map[string]any{"custom_id": "m", "title": "t", "components": []any{1}}, "cannot answer a modal submit"},
		{"modal title", TypeCommand, RespondModal, map[string]any{"custom_id": "m", "title": strings.Repeat("t", 46), "components": []any{1}}, "1-45"},
		{"long content", TypeCommand, RespondMessage, map[string]any{"content": strings.Repeat("x", 2001)}, "limit is 2000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newRespEnv(t, ResponderOptions{})
			_, err := e.r.Respond(context.Background(), ixOf(tt.typ), tt.kind, tt.data)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var re *ResponseError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want ResponseError containing %q, got %v", tt.want, err)
			}
			expect(t, e.f) // nothing sent
		})
	}
}

func TestParseInteraction(t *testing.T) {
	ix, err := ParseInteraction(json.RawMessage(`{"id":"1","token":"t","application_id":"2","type":3,"data":{}}`))
	if err != nil || ix != (Interaction{"1", "t", "2", 3}) {
		t.Fatalf("got %+v %v", ix, err)
	}
	if _, err := ParseInteraction(json.RawMessage(`{"id":"1"}`)); err == nil {
		t.Fatal("want error for missing token")
	}
}

// A respond racing the automatic defer waits for it, then edits.
func TestRespondWhileDeferInFlight(t *testing.T) {
	e := newRespEnv(t, ResponderOptions{})
	ctx := context.Background()
	ix := ixOf(TypeCommand)
	release := make(chan struct{})
	e.f.mu.Lock()
	e.f.hold, e.f.held = release, make(chan struct{}, 1)
	e.f.mu.Unlock()
	e.r.Begin(ix, "o")
	advanced := make(chan struct{})
	go func() { e.clock.Advance(3 * time.Second); close(advanced) }()
	select {
	case <-e.f.held: // the automatic defer reached the server and waits
	case <-time.After(5 * time.Second):
		t.Fatal("automatic defer never arrived")
	}
	responded := make(chan error, 1)
	go func() {
		_, err := e.r.Respond(ctx, ix, RespondMessage, map[string]any{"content": "late"})
		responded <- err
	}()
	select {
	case err := <-responded:
		t.Fatalf("respond finished before the defer it must follow (%v)", err)
	case <-time.After(50 * time.Millisecond): // a bound on an expected non-event
	}
	e.f.mu.Lock()
	e.f.hold = nil
	e.f.mu.Unlock()
	close(release)
	<-advanced
	if err := <-responded; err != nil {
		t.Fatal(err)
	}
	expect(t, e.f, `POST `+cbPath+` {"type":5}`, `PATCH `+origPath+` {"content":"late"}`)
}

// When the automatic defer fails, the handler's respond is sent as the
// initial response instead of editing a response that does not exist.
func TestAutoDeferFailed(t *testing.T) {
	e := newRespEnv(t, ResponderOptions{})
	ix := ixOf(TypeCommand)
	e.f.mu.Lock()
	e.f.failCallback = true
	e.f.mu.Unlock()
	e.r.Begin(ix, "o")
	e.clock.Advance(3 * time.Second)
	if _, err := e.r.Respond(context.Background(), ix, RespondMessage, map[string]any{"content": "hi"}); err != nil {
		t.Fatal(err)
	}
	expect(t, e.f, `POST `+cbPath+` {"type":5}`, `POST `+cbPath+` {"data":{"content":"hi"},"type":4}`)
}

// Many interactions racing their real deadline timers: each gets exactly
// one initial response, and the handler's message arrives either as that
// response or as the one edit of the host's deferral.
func TestRespondRaceWithRealTimers(t *testing.T) {
	noLeak(t)
	f := newFakeDiscord(t)
	r := NewResponder(newAPI(f.srv.URL), ResponderOptions{DeferAfter: 5 * time.Millisecond})
	defer r.Close()
	const n = 40
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		ix := Interaction{ID: fmt.Sprint(5000 + i), Token: "tok" + fmt.Sprint(i), ApplicationID: "42", Type: TypeCommand}
		r.Begin(ix, "o")
		go func(i int) {
			if i%2 == 1 { // a slow handler: answer after the host deferred
				for !f.saw("POST /interactions/" + ix.ID + "/") {
					if ctx.Err() != nil {
						errs <- ctx.Err()
						return
					}
					time.Sleep(time.Millisecond) // polling the server's log
				}
			}
			_, err := r.Respond(ctx, ix, RespondMessage, map[string]any{"content": "answer " + ix.ID})
			errs <- err
		}(i)
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	reqs := f.take()
	for i := 0; i < n; i++ {
		id := fmt.Sprint(5000 + i)
		var callbacks, edits []string
		for _, line := range bodies(reqs) {
			switch {
			case strings.HasPrefix(line, "POST /interactions/"+id+"/"):
				callbacks = append(callbacks, line)
			case strings.HasPrefix(line, "PATCH /webhooks/42/tok"+fmt.Sprint(i)+"/"):
				edits = append(edits, line)
			}
		}
		if len(callbacks) != 1 {
			t.Fatalf("interaction %s: %d initial responses: %q", id, len(callbacks), callbacks)
		}
		deferred := strings.HasSuffix(callbacks[0], `{"type":5}`)
		switch {
		case deferred && (len(edits) != 1 || !strings.Contains(edits[0], "answer "+id)):
			t.Fatalf("interaction %s deferred, then edits %q", id, edits)
		case !deferred && (len(edits) != 0 || !strings.Contains(callbacks[0], "answer "+id)):
			t.Fatalf("interaction %s answered %q, edits %q", id, callbacks[0], edits)
		case i%2 == 1 && !deferred:
			t.Fatalf("slow interaction %s was not deferred", id)
		}
	}
}

func TestExpiredInteractionsAreForgotten(t *testing.T) {
	e := newRespEnv(t, ResponderOptions{})
	tracked := func() int {
		e.r.mu.Lock()
		defer e.r.mu.Unlock()
		return len(e.r.pending)
	}
	for i := range 3 {
		e.r.Begin(Interaction{ID: strconv.Itoa(i), Token: "tok", ApplicationID: "42", Type: TypeAutocomplete}, "o")
	}
	if n := tracked(); n != 3 {
		t.Fatalf("tracking %d interactions, want 3", n)
	}
	e.clock.Advance(16 * time.Minute)
	e.r.Begin(Interaction{ID: "new", Token: "tok", ApplicationID: "42", Type: TypeAutocomplete}, "o")
	if n := tracked(); n != 1 {
		t.Fatalf("tracking %d interactions after their tokens expired, want 1", n)
	}
}
