package commands

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/botrun/botrun/host/rest"
)

// fakeDiscord is a small Discord-shaped HTTP server on 127.0.0.1 for the
// endpoints this package uses. It echoes registered commands the way
// Discord does (defaults added, unknown fields dropped, ids assigned) so
// the semantic comparison is exercised against realistic echoes.
type fakeDiscord struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex // guards everything below
	scopes   map[string][]map[string]any
	nextID   int
	requests []request
	// failPut, when set, is returned as the body of a 400 to the next PUT.
	failPut json.RawMessage
	// hold, when set, makes interaction callbacks wait for it to close;
	// held is signalled when one starts waiting. failCallback makes the
	// next callback answer 500.
	hold         chan struct{}
	held         chan struct{}
	failCallback bool
}

type request struct {
	Method, Path string
	Body         json.RawMessage
}

func newFakeDiscord(t *testing.T) *fakeDiscord {
	t.Helper()
	f := &fakeDiscord{t: t, scopes: map[string][]map[string]any{}, nextID: 1000}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeDiscord) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	hold := f.hold
	f.mu.Unlock()
	if hold != nil && strings.HasSuffix(r.URL.Path, "/callback") {
		f.held <- struct{}{}
		<-hold
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, request{r.Method, r.URL.Path, body})
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/commands") && r.Method == http.MethodGet:
		writeJSON(w, 200, f.echoList(p))
	case strings.HasSuffix(p, "/commands") && r.Method == http.MethodPut:
		if f.failPut != nil {
			writeJSON(w, 400, json.RawMessage(f.failPut))
			f.failPut = nil
			return
		}
		var list []map[string]any
		if err := json.Unmarshal(body, &list); err != nil {
			writeJSON(w, 400, map[string]any{"code": 50109, "message": "The request body contains invalid JSON."})
			return
		}
		f.store(p, list)
		writeJSON(w, 200, f.echoList(p))
	case strings.HasPrefix(p, "/interactions/") && strings.HasSuffix(p, "/callback"):
		if f.failCallback {
			f.failCallback = false
			writeJSON(w, 500, map[string]any{"code": 0, "message": "500: Internal Server Error"})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(p, "/webhooks/") && r.Method == http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(p, "/webhooks/"):
		writeJSON(w, 200, map[string]any{"id": "555", "content": "ok"})
	default:
		writeJSON(w, 404, map[string]any{"code": 0, "message": "404: Not Found"})
	}
}

// store keeps a PUT body, keeping ids of commands that already existed.
func (f *fakeDiscord) store(path string, list []map[string]any) {
	old := map[string]string{}
	for _, c := range f.scopes[path] {
		old[fmt.Sprint(c["type"], "/", c["name"])] = c["id"].(string)
	}
	var out []map[string]any
	for _, c := range list {
		e := discordEcho(c, strings.Contains(path, "/guilds/"))
		k := fmt.Sprint(e["type"], "/", e["name"])
		if id, ok := old[k]; ok {
			e["id"] = id
		} else {
			f.nextID++
			e["id"] = strconv.Itoa(f.nextID)
		}
		out = append(out, e)
	}
	f.scopes[path] = out
}

func (f *fakeDiscord) echoList(path string) []map[string]any {
	out := f.scopes[path]
	if out == nil {
		out = []map[string]any{}
	}
	return out
}

// discordEcho mimics how Discord returns a command it stored.
func discordEcho(c map[string]any, guild bool) map[string]any {
	e := map[string]any{
		"application_id": "42", "version": "1", "type": float64(1),
		"default_member_permissions": nil, "nsfw": false,
		"description": "", "contexts": nil, "integration_types": []any{float64(0)},
		"name_localizations": nil, "description_localizations": nil,
	}
	if !guild {
		e["dm_permission"] = true
	} else {
		e["guild_id"] = "1"
	}
	for k, v := range c {
		if commandKeys[k] {
			e[k] = v
		}
	}
	if opts, ok := e["options"].([]any); ok {
		e["options"] = echoOptions(opts)
	}
	return e
}

func echoOptions(opts []any) []any {
	out := make([]any, 0, len(opts))
	for _, o := range opts {
		om := o.(map[string]any)
		n := map[string]any{}
		if t, _ := om["type"].(float64); t > 2 {
			n["required"] = false
		}
		for k, v := range om {
			if optionKeys[k] {
				n[k] = v
			}
		}
		if sub, ok := n["options"].([]any); ok {
			n["options"] = echoOptions(sub)
		}
		out = append(out, n)
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// take returns and clears the recorded requests.
func (f *fakeDiscord) take() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.requests
	f.requests = nil
	return out
}

// saw reports whether a request line starting with prefix was recorded.
func (f *fakeDiscord) saw(prefix string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.requests {
		if strings.HasPrefix(r.Method+" "+r.Path, prefix) {
			return true
		}
	}
	return false
}

func count(reqs []request, method string) int {
	n := 0
	for _, r := range reqs {
		if r.Method == method {
			n++
		}
	}
	return n
}

func paths(reqs []request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Method+" "+r.Path)
	}
	sort.Strings(out)
	return out
}

// newAPI is the real REST client pointed at the test server.
func newAPI(base string) API {
	return rest.New(rest.Config{BaseURL: base, Token: "test-token", MaxRetries: -1})
}

// manualClock runs AfterFunc callbacks synchronously inside Advance.
type manualClock struct {
	mu     sync.Mutex // guards now and timers
	now    time.Time
	timers []*manualTimer
}

type manualTimer struct {
	c    *manualClock
	at   time.Time
	f    func()
	done bool
}

func newManualClock() *manualClock {
	return &manualClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &manualTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *manualTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.done
	t.done = true
	return was
}

// Advance moves time forward and runs the callbacks that came due, in
// order, on the calling goroutine.
func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*manualTimer
	for _, t := range c.timers {
		if !t.done && !t.at.After(c.now) {
			t.done = true
			due = append(due, t)
		}
	}
	c.mu.Unlock()
	sort.Slice(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
	for _, t := range due {
		t.f()
	}
}

// pending reports how many timers are armed.
func (c *manualClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if !t.done {
			n++
		}
	}
	return n
}

func mustJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}
