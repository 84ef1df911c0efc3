package commands

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// noLeak fails the test if goroutines started during it are still running
// after its cleanups. Register it first so it runs last.
func noLeak(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		http.DefaultClient.CloseIdleConnections()
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				t.Errorf("goroutine leak: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

func spec(where, js string) Spec {
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		panic(err)
	}
	return Spec{Where: where, Data: m}
}

const (
	echoJS  = `{"name":"echo","description":"Say it back","options":[{"type":3,"name":"text","description":"what","required":true}]}`
	pingJS  = `{"name":"ping","description":"Pong"}`
	appID   = "42"
	globalP = "/applications/42/commands"
)

func guildP(g string) string { return "/applications/42/guilds/" + g + "/commands" }

func newTestSyncer(t *testing.T, f *fakeDiscord, opts SyncOptions) *Syncer {
	t.Helper()
	s := NewSyncer(newAPI(f.srv.URL), opts)
	s.mu.Lock()
	s.appID = appID // as Start would, without the background loop
	s.mu.Unlock()
	return s
}

func TestSyncNoopWhenUnchanged(t *testing.T) {
	noLeak(t)
	f := newFakeDiscord(t)
	// A previous run registered exactly what the scripts declare.
	f.store(globalP, []map[string]any{mustJSON(t, echoJS)})
	f.store(guildP("7"), []map[string]any{mustJSON(t, pingJS)})

	s := newTestSyncer(t, f, SyncOptions{})
	ctx := context.Background()
	if err := s.Set("echo", []Spec{spec("echo.lua:3", echoJS)}); err != nil {
		t.Fatal(err)
	}
	g := spec("ping.lua:1", pingJS)
	g.Data["guild_ids"] = []any{"7"}
	if err := s.Set("ping", []Spec{g}); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	reqs := f.take()
	if count(reqs, "PUT") != 0 || count(reqs, "GET") != 2 {
		t.Fatalf("start-up with nothing changed: want 2 GETs and no PUT, got %v", paths(reqs))
	}
	// Later syncs use the cache: no traffic at all.
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if reqs := f.take(); len(reqs) != 0 {
		t.Fatalf("second sync without changes: want no requests, got %v", paths(reqs))
	}
	// Ids learned from the GET route the command.
	tgt, ok := s.Router().Route(json.RawMessage(`{"type":2,"data":{"id":"1001","name":"echo","type":1}}`))
	if !ok || tgt.Owner != "echo" {
		t.Fatalf("route by id: got %+v %v", tgt, ok)
	}
}

func TestSyncOnePutPerChangedScope(t *testing.T) {
	noLeak(t)
	f := newFakeDiscord(t)
	f.store(globalP, []map[string]any{mustJSON(t, echoJS)})
	f.store(guildP("1"), []map[string]any{mustJSON(t, `{"name":"old","description":"gone soon"}`)})
	s := newTestSyncer(t, f, SyncOptions{})
	mustSet(t, s, "echo", spec("echo.lua:3", echoJS))
	mustSet(t, s, "g1", withGuilds(spec("g1.lua:1", pingJS), "1"))
	mustSet(t, s, "g2", withGuilds(spec("g2.lua:1", pingJS), "2"))
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := f.take()
	want := []string{"GET " + globalP, "GET " + guildP("1"), "GET " + guildP("2"), "PUT " + guildP("1"), "PUT " + guildP("2")}
	if got := paths(reqs); strings.Join(got, ",") != strings.Join(sorted(want), ",") {
		t.Fatalf("requests:\n got %v\nwant %v", got, sorted(want))
	}
	// One change in one scope → one PUT, no GET.
	mustSet(t, s, "g2", withGuilds(spec("g2.lua:1", `{"name":"ping","description":"Pong!"}`), "2"))
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := paths(f.take()); len(got) != 1 || got[0] != "PUT "+guildP("2") {
		t.Fatalf("after editing one command: got %v", got)
	}
	// Unloading the only script of a guild clears that guild.
	s.Remove("g1")
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs = f.take()
	if got := paths(reqs); len(got) != 1 || got[0] != "PUT "+guildP("1") || string(reqs[0].Body) != "[]" {
		t.Fatalf("after removing g1: got %v %s", got, reqs[0].Body)
	}
}

func TestSyncDevGuildRedirect(t *testing.T) {
	noLeak(t)
	f := newFakeDiscord(t)
	s := newTestSyncer(t, f, SyncOptions{DevGuild: "9"})
	mustSet(t, s, "echo", spec("echo.lua:3", echoJS))
	mustSet(t, s, "g", withGuilds(spec("g.lua:1", pingJS), "5"))
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	puts := []string{}
	for _, r := range f.take() {
		if r.Path == globalP {
			t.Fatalf("dev guild: the global scope must be left alone, got %s %s", r.Method, r.Path)
		}
		if r.Method == "PUT" {
			puts = append(puts, r.Path)
		}
	}
	if strings.Join(sorted(puts), ",") != guildP("5")+","+guildP("9") {
		t.Fatalf("dev guild: want PUTs to guilds 5 and 9 only, got %v", puts)
	}
}

func TestSyncDuplicateDeclarations(t *testing.T) {
	noLeak(t)
	f := newFakeDiscord(t)
	s := newTestSyncer(t, f, SyncOptions{})
	mustSet(t, s, "a", spec("a.lua:1", echoJS))
	err := s.Set("b", []Spec{spec("b.js:4", echoJS), spec("b.js:9", pingJS)})
	var ce *ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("want ConflictError, got %v", err)
	}
	for _, w := range []string{"b.js:4", "a.lua:1", `"echo"`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("conflict error %q does not mention %s", err, w)
		}
	}
	// The same name in another scope or of another type is fine.
	mustSet(t, s, "c", withGuilds(spec("c.lua:1", echoJS), "3"), spec("c.lua:2", `{"name":"echo","type":2}`))
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	route := func() string {
		tgt, ok := s.Router().Route(json.RawMessage(`{"type":2,"data":{"name":"echo","type":1}}`))
		if !ok {
			return ""
		}
		return tgt.Owner
	}
	if got := route(); got != "a" {
		t.Fatalf("earlier declaration keeps the name: routed to %q", got)
	}
	if tgt, _ := s.Router().Route(json.RawMessage(`{"type":2,"data":{"name":"ping","type":1}}`)); tgt.Owner != "b" {
		t.Fatalf("b's other command: routed to %+v", tgt)
	}
	// When a goes away, b's declaration takes over, also for the id
	// learned while a held the name, before any new sync.
	var echoID string
	for _, c := range f.scopes[globalP] {
		if c["name"] == "echo" && c["type"] == float64(1) {
			echoID = c["id"].(string)
		}
	}
	s.Remove("a")
	if got := route(); got != "b" {
		t.Fatalf("after a is removed: routed to %q", got)
	}
	if tgt, ok := s.Router().Route(json.RawMessage(`{"type":2,"data":{"id":"` + echoID + `","name":"echo","type":1}}`)); !ok || tgt.Owner != "b" {
		t.Fatalf("after a is removed, by id %s: routed to %+v %v", echoID, tgt, ok)
	}
	s.Remove("b")
	if tgt, ok := s.Router().Route(json.RawMessage(`{"type":2,"data":{"id":"` + echoID + `","name":"echo","type":1}}`)); ok {
		t.Fatalf("nobody declares echo any more, yet it routed to %+v", tgt)
	}
	// One owner declaring a name twice.
	err = s.Set("d", []Spec{spec("d.lua:1", `{"name":"dup","description":"x"}`), spec("d.lua:2", `{"name":"dup","description":"y"}`)})
	if err == nil || !strings.Contains(err.Error(), "d.lua:2") || !strings.Contains(err.Error(), "d.lua:1") {
		t.Fatalf("duplicate within one owner: %v", err)
	}
}

func TestSyncInvalidSpecsSkipped(t *testing.T) {
	noLeak(t)
	f := newFakeDiscord(t)
	s := newTestSyncer(t, f, SyncOptions{})
	err := s.Set("a", []Spec{spec("a.lua:1", `{"name":"Bad","description":"d"}`), spec("a.lua:2", pingJS)})
	if err == nil || !strings.Contains(err.Error(), `a.lua:1: command "Bad": name "Bad" must be lowercase`) {
		t.Fatalf("got %v", err)
	}
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := f.take()
	if count(reqs, "PUT") != 1 || !strings.Contains(string(reqs[len(reqs)-1].Body), `"ping"`) || strings.Contains(string(reqs[len(reqs)-1].Body), "Bad") {
		t.Fatalf("want the valid command registered alone, got %v", reqs)
	}
}

func TestSyncFieldErrorsNameTheScript(t *testing.T) {
	noLeak(t)
	f := newFakeDiscord(t)
	f.failPut = json.RawMessage(`{"code":50035,"message":"Invalid Form Body","errors":{"0":{"options":{"0":{"name":{"_errors":[{"code":"APPLICATION_COMMAND_INVALID_NAME","message":"Command name is invalid"}]}}}}}}`)
	s := newTestSyncer(t, f, SyncOptions{})
	mustSet(t, s, "a", spec("a.lua:1", pingJS))
	mustSet(t, s, "b", spec("b.lua:7", echoJS))
	err := s.Flush(context.Background())
	want := `b.lua:7: command "echo": rejected by the platform: options.0.name: Command name is invalid`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("want %q in error, got %v", want, err)
	}
	// The failed scope is retried on the next sync.
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := count(f.take(), "PUT"); n != 2 {
		t.Fatalf("want the failed PUT and its retry, got %d PUTs", n)
	}
}

// Hot reload: a burst of changes produces one sync, and a sync never
// schedules another.
func TestSyncDebounce(t *testing.T) {
	noLeak(t)
	f := newFakeDiscord(t)
	clock := newManualClock()
	synced := make(chan error, 10)
	s := NewSyncer(newAPI(f.srv.URL), SyncOptions{Clock: clock, Debounce: 300 * time.Millisecond, OnSync: func(err error) { synced <- err }})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); s.Wait() })

	mustSet(t, s, "echo", spec("echo.lua:3", echoJS))
	if clock.pending() != 0 {
		t.Fatal("a change before Start must not arm the debounce timer")
	}
	s.Start(ctx, appID)
	waitSync(t, synced)
	if reqs := f.take(); count(reqs, "PUT") != 1 {
		t.Fatalf("start-up: want 1 PUT, got %v", paths(reqs))
	}
	for i := 0; i < 5; i++ { // saves 100 ms apart
		mustSet(t, s, "echo", spec("echo.lua:3", `{"name":"echo","description":"v`+string(rune('0'+i))+`"}`))
		clock.Advance(100 * time.Millisecond)
	}
	if reqs := f.take(); len(reqs) != 0 {
		t.Fatalf("during the burst: want no requests, got %v", paths(reqs))
	}
	clock.Advance(300 * time.Millisecond)
	waitSync(t, synced)
	reqs := f.take()
	if count(reqs, "PUT") != 1 || !strings.Contains(string(reqs[0].Body), `"v4"`) {
		t.Fatalf("after the burst: want one PUT with the last version, got %v", reqs)
	}
	if clock.pending() != 0 {
		t.Fatal("a sync armed another sync")
	}
	select {
	case err := <-synced:
		t.Fatalf("unexpected extra sync (%v)", err)
	default:
	}
}

func waitSync(t *testing.T, ch chan error) {
	t.Helper()
	select {
	case err := <-ch:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no sync within 5s")
	}
}

func mustSet(t *testing.T, s *Syncer, owner string, specs ...Spec) {
	t.Helper()
	if err := s.Set(owner, specs); err != nil {
		t.Fatal(err)
	}
}

func withGuilds(s Spec, ids ...string) Spec {
	l := make([]any, len(ids))
	for i, id := range ids {
		l[i] = id
	}
	s.Data["guild_ids"] = l
	return s
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
