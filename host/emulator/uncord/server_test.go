package uncord

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(3 * time.Second)
		for {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			leaked := ""
			for _, g := range strings.Split(string(buf), "\n\n") {
				if strings.Contains(g, "host/emulator/uncord.") && !strings.Contains(g, "TestMain") {
					leaked += g + "\n\n"
				}
			}
			if leaked == "" {
				break
			}
			if time.Now().After(deadline) {
				os.Stderr.WriteString("goroutines leaked:\n" + leaked)
				code = 1
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	os.Exit(code)
}

func start(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.GlobalLimit == (RateLimit{}) {
		opts.GlobalLimit = RateLimit{Limit: -1}
	}
	s := New(opts)
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func post(t *testing.T, s *Server, path, tok string, body any) (int, http.Header, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", s.URL()+"/api/v1"+path, bytes.NewReader(b))
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, http.Header, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(raw, &m)
	return resp.StatusCode, resp.Header, m
}

func errCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func TestAuthProtocol(t *testing.T) {
	s := start(t, Options{AuthLimit: RateLimit{Limit: 5, Window: time.Hour}})
	email, pw := s.Credentials()
	st, _, m := post(t, s, "/auth/login", "", map[string]string{"email": email, "password": "bad"})
	if st != 401 || errCode(m) != "INVALID_CREDENTIALS" {
		t.Fatalf("bad login: %d %v", st, m)
	}
	st, _, m = post(t, s, "/auth/login", "", map[string]string{"email": email, "password": pw})
	data, _ := m["data"].(map[string]any)
	rt1, _ := data["refresh_token"].(string)
	if st != 200 || data["access_token"] == nil || rt1 == "" {
		t.Fatalf("login: %d %v", st, m)
	}
	_, _, m = post(t, s, "/auth/refresh", "", map[string]string{"refresh_token": rt1})
	rt2, _ := m["data"].(map[string]any)["refresh_token"].(string)
	if rt2 == "" || rt2 == rt1 {
		t.Fatalf("refresh did not rotate: %v", m)
	}
	st, _, m = post(t, s, "/auth/refresh", "", map[string]string{"refresh_token": rt1})
	if st != 401 || errCode(m) != "TOKEN_REUSED" {
		t.Fatalf("reuse: %d %v", st, m)
	}
	if _, _, reuses := s.AuthStats(); reuses != 1 {
		t.Fatalf("reuses %d", reuses)
	}
	st, _, _ = post(t, s, "/auth/refresh", "", map[string]string{"refresh_token": rt2})
	if st != 200 {
		t.Fatal("the new token should still work after a reuse")
	}
	st, h, m := post(t, s, "/auth/login", "", map[string]string{"email": email, "password": pw})
	if st != 429 || errCode(m) != "RATE_LIMITED" || h.Get("Retry-After") == "" {
		t.Fatalf("6th auth request: %d %v %v", st, h, m)
	}
}

func TestGlobalLimitHeaders(t *testing.T) {
	s := start(t, Options{GlobalLimit: RateLimit{Limit: 2, Window: time.Minute}})
	for i, want := range []string{"1", "0"} {
		resp, err := http.Get(s.URL() + "/api/v1/users/@me")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 || resp.Header.Get("X-Ratelimit-Remaining") != want || resp.Header.Get("X-Ratelimit-Limit") != "2" {
			t.Fatalf("request %d: %d %v", i, resp.StatusCode, resp.Header)
		}
	}
	resp, _ := http.Get(s.URL() + "/api/v1/users/@me")
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "60" {
		t.Fatalf("over the limit: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestReactionsStoredAsSent(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueAccessToken()
	gen := s.ChannelID("general")
	m, _ := s.InjectMessage(gen, "react here")
	for _, seg := range []string{"%F0%9F%91%8D", "%f0%9f%91%8d"} {
		req, _ := http.NewRequest("PUT", s.URL()+"/api/v1/channels/"+gen+"/messages/"+m.ID+"/reactions/"+seg, nil)
		req.Header.Set("Authorization", "bearer "+tok)
		if st, _, body := do(t, req); st != 204 {
			t.Fatalf("%s: %d %v", seg, st, body)
		}
	}
	got := s.Messages(gen)[0].Reactions
	if len(got) != 2 || *got[0].EmojiUnicode != "%F0%9F%91%8D" || *got[1].EmojiUnicode != "%f0%9f%91%8d" || !got[0].Me {
		t.Fatalf("reactions %+v: the two encodings must be different reactions, stored undecoded", got)
	}
}

// ws is a raw gateway client.
type ws struct {
	t *testing.T
	c *websocket.Conn
}

func dial(t *testing.T, s *Server) *ws {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.URL(), "http")+"/api/v1/gateway?v=10&encoding=json", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	w := &ws{t, c}
	if f := w.read(); f["op"] != 10.0 {
		t.Fatalf("first frame %v, want Hello", f)
	}
	return w
}

func (w *ws) send(v string) {
	w.t.Helper()
	if err := w.c.WriteMessage(websocket.TextMessage, []byte(v)); err != nil {
		w.t.Fatal(err)
	}
}

func (w *ws) readRaw() ([]byte, error) {
	w.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, b, err := w.c.ReadMessage()
	return b, err
}

func (w *ws) read() map[string]any {
	w.t.Helper()
	b, err := w.readRaw()
	if err != nil {
		w.t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

// closeCode reads until the connection ends and returns its close code
// (1006 when it was dropped without a close frame).
func (w *ws) closeCode() (int, string) {
	w.t.Helper()
	for {
		_, err := w.readRaw()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, ce.Text
		}
		return 1006, err.Error()
	}
}

func TestGatewayCloseCodes(t *testing.T) {
	cases := []struct {
		name   string
		frames []string
		code   int
		text   string
	}{
		{"bad token", []string{`{"op":2,"d":{"token":"nope"}}`}, 4004, "invalid token"},
		{"empty token", []string{`{"op":2,"d":{"token":""}}`}, 4004, "token required"},
		{"server opcode", []string{`{"op":0}`}, 4001, "unknown opcode"},
		{"not JSON", []string{`hello`}, 4002, "invalid JSON"},
		{"presence first", []string{`{"op":3,"d":{"status":"online"}}`}, 4003, "not authenticated"},
		{"second identify", []string{`{"op":2,"d":{"token":"TOKEN"}}`, `{"op":2,"d":{"token":"TOKEN"}}`}, 4005, "already authenticated"},
		{"bad status", []string{`{"op":2,"d":{"token":"TOKEN"}}`, `{"op":3,"d":{"status":"busy"}}`}, 4002, "invalid status"},
	}
	s := start(t, Options{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := dial(t, s)
			for _, f := range tc.frames {
				w.send(strings.ReplaceAll(f, "TOKEN", s.IssueAccessToken()))
			}
			if code, text := w.closeCode(); code != tc.code || text != tc.text {
				t.Fatalf("closed %d %q, want %d %q", code, text, tc.code, tc.text)
			}
		})
	}
	t.Run("identify timeout", func(t *testing.T) {
		s := start(t, Options{IdentifyTimeout: 50 * time.Millisecond})
		if code, _ := dial(t, s).closeCode(); code != 4003 {
			t.Fatalf("closed %d, want 4003", code)
		}
	})
	t.Run("plain GET", func(t *testing.T) {
		resp, err := http.Get(s.URL() + "/api/v1/gateway")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUpgradeRequired {
			t.Fatalf("status %d, want 426", resp.StatusCode)
		}
	})
}

func TestHeartbeatsAndSilentDrop(t *testing.T) {
	s := start(t, Options{HeartbeatInterval: 100 * time.Millisecond})
	w := dial(t, s)
	begin := time.Now()
	for range 4 { // heartbeats keep it alive past 1.5 intervals
		time.Sleep(60 * time.Millisecond)
		w.send(`{"op":1}`)
		if b, err := w.readRaw(); err != nil || string(b) != `{"op":11}` {
			t.Fatalf("ACK %s %v", b, err)
		}
	}
	w.send(`{"op":4}`) // ignored, and does not extend the deadline
	code, _ := w.closeCode()
	if code != 1006 {
		t.Fatalf("closed %d, want a drop without close frame", code)
	}
	if d := time.Since(begin); d < 240*time.Millisecond+150*time.Millisecond-20*time.Millisecond {
		t.Fatalf("dropped after %v, before 1.5 intervals had passed since the last heartbeat", d)
	}
}

func TestResumeReplaysOnlyWhatTheOldSocketWasSent(t *testing.T) {
	s := start(t, Options{HeartbeatInterval: time.Minute})
	tok := s.IssueAccessToken()
	w := dial(t, s)
	w.send(`{"op":2,"d":{"token":"` + tok + `"}}`)
	ready := w.read()
	if ready["t"] != "READY" || ready["s"] != 1.0 {
		t.Fatalf("READY %v", ready)
	}
	sid := ready["d"].(map[string]any)["session_id"].(string)
	if f := w.read(); f["t"] != "PRESENCE_UPDATE" || f["s"] != 2.0 {
		t.Fatalf("after READY %v", f)
	}
	req, _ := http.NewRequest("POST", s.URL()+"/api/v1/channels/"+s.ChannelID("general")+"/typing", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if st, _, _ := do(t, req); st != 204 {
		t.Fatalf("typing: %d", st)
	}
	if f := w.read(); f["t"] != "TYPING_START" || f["s"] != nil {
		t.Fatalf("typing %v, want TYPING_START without s", f)
	}
	s.InjectMessage(s.ChannelID("general"), "seen")   // s=3, read
	s.InjectMessage(s.ChannelID("general"), "unread") // s=4, sent but not read
	s.InjectMessage(s.ChannelID("staff"), "hidden")   // not sent: the bot cannot view #staff
	if f := w.read(); f["s"] != 3.0 {
		t.Fatalf("got %v", f)
	}
	s.DropConnections()
	s.WaitNoConnections(t.Context())
	s.InjectMessage(s.ChannelID("general"), "offline") // never stored for the session

	w2 := dial(t, s)
	w2.send(`{"op":6,"d":{"token":"` + tok + `","session_id":"` + sid + `","seq":3}}`)
	f := w2.read()
	if f["t"] != "MESSAGE_CREATE" || f["s"] != 4.0 || f["d"].(map[string]any)["content"] != "unread" {
		t.Fatalf("replay %v", f)
	}
	if f = w2.read(); f["t"] != "RESUMED" || f["s"] != 5.0 {
		t.Fatalf("after replay %v, want RESUMED s=5 (the offline message is not replayed)", f)
	}

	// a session that cannot resume: op 9 false, and identify works on the same socket
	s.InvalidateSessions()
	s.DropConnections()
	s.WaitNoConnections(t.Context())
	w3 := dial(t, s)
	w3.send(`{"op":6,"d":{"token":"` + tok + `","session_id":"` + sid + `","seq":5}}`)
	if b, _ := w3.readRaw(); string(b) != `{"d":false,"op":9}` {
		t.Fatalf("got %s, want op 9 false", b)
	}
	w3.send(`{"op":2,"d":{"token":"` + tok + `"}}`)
	if f := w3.read(); f["t"] != "READY" {
		t.Fatalf("identify after op 9: %v", f)
	}
}
