package emulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// resumeOn dials url and resumes the session, returning the client and
// the first frame after Hello.
func resumeOn(t *testing.T, s *Server, url string, r ready, seq int64) (*client, frame) {
	t.Helper()
	c := dial(t, url)
	c.hello()
	c.send(map[string]any{"op": 6, "d": map[string]any{"token": s.Token(), "session_id": r.SessionID, "seq": seq}})
	return c, c.next()
}

func TestDropConnections(t *testing.T) {
	s := start(t, Options{})
	c, r, _ := connect(t, s, allIntents, nil)
	c.expectDispatch("GUILD_CREATE")
	s.DropConnections(AllShards)
	_, err := c.read()
	var ce *websocket.CloseError
	// gorilla reports a connection lost without a close frame as 1006.
	if err == nil || errors.As(err, &ce) && ce.Code != websocket.CloseAbnormalClosure {
		t.Fatalf("after a drop, read = %v; want a transport error without a close frame", err)
	}
	waitFor(t, "the session to be disconnected", func() bool { return connectedSessions(s) == 0 })
	if len(s.Sessions()) != 1 {
		t.Fatal("a dropped connection ended its session")
	}
	_, f := resumeOn(t, s, r.ResumeURL, r, 2)
	if f.T != "RESUMED" {
		t.Fatalf("after a drop: %+v", f)
	}
}

func TestHeartbeatAcksOff(t *testing.T) {
	s := start(t, Options{})
	out, stop := s.Subscribe()
	defer stop()
	c, _, _ := connect(t, s, allIntents, nil)
	c.expectDispatch("GUILD_CREATE")
	s.SetHeartbeatAcks(0, false)
	c.send(map[string]any{"op": 1, "d": 2})
	// The presence update is handled after the heartbeat; once it shows,
	// an ACK would already be queued ahead of the next dispatch.
	c.send(map[string]any{"op": 3, "d": map[string]any{"status": "idle"}})
	nextOutput(t, out, OutPresence)
	if _, err := s.InjectMessage(s.ChannelID("general"), "after"); err != nil {
		t.Fatal(err)
	}
	if f := c.next(); f.Op != opDispatch || f.T != "MESSAGE_CREATE" {
		t.Fatalf("with ACKs off got %+v", f)
	}
	s.SetHeartbeatAcks(AllShards, true)
	c.send(map[string]any{"op": 1, "d": 3})
	c.expectOp(opHeartbeatACK)

	s.SetHeartbeatAcks(AllShards, false)
	c.send(map[string]any{"op": 1, "d": 3})
	c.send(map[string]any{"op": 3, "d": map[string]any{"status": "dnd"}})
	nextOutput(t, out, OutPresence)
	s.SendReconnect(AllShards)
	if f := c.next(); f.Op != opReconnect {
		t.Fatalf("AllShards ACKs off: got %+v", f)
	}
}

func TestSendReconnect(t *testing.T) {
	s := start(t, Options{})
	c, r, _ := connect(t, s, allIntents, nil)
	c.expectDispatch("GUILD_CREATE")
	s.SendReconnect(0)
	if f := c.expectOp(opReconnect); string(f.D) != "null" {
		t.Fatalf("op 7 d = %s", f.D)
	}
	// The client closes with a non-1000 code and resumes.
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4200, "reconnect"), time.Now().Add(time.Second))
	c.expectClose(4200)
	waitFor(t, "the old connection to end", func() bool { return connectedSessions(s) == 0 })
	if _, f := resumeOn(t, s, r.ResumeURL, r, 2); f.T != "RESUMED" {
		t.Fatalf("resume after op 7: %+v", f)
	}
	if err := s.WaitSessions(ctxTimeout(t), 1); err != nil {
		t.Fatal(err)
	}
}

func TestSendInvalidSession(t *testing.T) {
	t.Run("not resumable", func(t *testing.T) {
		s := start(t, Options{})
		c, r, _ := connect(t, s, allIntents, nil)
		c.expectDispatch("GUILD_CREATE")
		s.SendInvalidSession(AllShards, false)
		if f := c.expectOp(opInvalidSession); string(f.D) != "false" {
			t.Fatalf("op 9 d = %s", f.D)
		}
		if len(s.Sessions()) != 0 {
			t.Fatal("session survived op 9 false")
		}
		// Identify again on the same socket, as discordgo does.
		c.send(identifyPayload(s.Token(), allIntents, nil))
		var r2 ready
		_ = json.Unmarshal(c.expectDispatch("READY").D, &r2)
		if r2.SessionID == r.SessionID {
			t.Fatal("same session id after a new identify")
		}
	})
	t.Run("resumable", func(t *testing.T) {
		s := start(t, Options{})
		c, r, _ := connect(t, s, allIntents, nil)
		c.expectDispatch("GUILD_CREATE")
		s.SendInvalidSession(0, true)
		if f := c.expectOp(opInvalidSession); string(f.D) != "true" {
			t.Fatalf("op 9 d = %s", f.D)
		}
		if _, f := resumeOn(t, s, r.ResumeURL, r, 2); f.T != "RESUMED" {
			t.Fatalf("resume after op 9 true: %+v", f)
		}
	})
}

func TestCloseConnections(t *testing.T) {
	tests := []struct {
		code      int
		resumable bool
	}{{4000, true}, {4008, true}, {4009, false}, {4007, false}}
	for _, tt := range tests {
		t.Run(itoa(tt.code), func(t *testing.T) {
			s := start(t, Options{})
			c, r, _ := connect(t, s, allIntents, nil)
			c.expectDispatch("GUILD_CREATE")
			s.CloseConnections(AllShards, tt.code, "test close")
			c.expectClose(tt.code)
			waitFor(t, "the connection to end", func() bool { return connectedSessions(s) == 0 })
			_, f := resumeOn(t, s, r.ResumeURL, r, 2)
			if tt.resumable && f.T != "RESUMED" || !tt.resumable && (f.Op != opInvalidSession || string(f.D) != "false") {
				t.Fatalf("resume after close %d: %+v", tt.code, f)
			}
		})
	}
}

func TestInvalidateSessions(t *testing.T) {
	s := start(t, Options{})
	c, r, _ := connect(t, s, allIntents, nil)
	c.expectDispatch("GUILD_CREATE")
	s.InvalidateSessions(AllShards)
	// The live connection keeps working...
	if _, err := s.InjectMessage(s.ChannelID("general"), "still here"); err != nil {
		t.Fatal(err)
	}
	c.expectDispatch("MESSAGE_CREATE")
	// ...but once it is lost, the session cannot be resumed.
	s.DropConnections(AllShards)
	waitFor(t, "the session to go", func() bool { return len(s.Sessions()) == 0 })
	if _, f := resumeOn(t, s, r.ResumeURL, r, 3); f.Op != opInvalidSession || string(f.D) != "false" {
		t.Fatalf("resume of an invalidated session: %+v", f)
	}
}

func TestFailNext(t *testing.T) {
	s := start(t, Options{})
	general := "/api/v10/channels/" + s.ChannelID("general") + "/messages"
	msg := map[string]any{"content": "x"}

	s.FailNext(Fault{Route: "POST /channels/{channel_id}/messages", Status: 502, Count: 2})
	for range 2 {
		resp, body := api(t, s, "POST", general, msg)
		wantStatus(t, resp, body, 502)
		if e := decodeErr(t, body); e.Message != "502: Bad Gateway" {
			t.Fatalf("5xx body %s", body)
		}
	}
	resp, body := api(t, s, "POST", general, msg)
	wantStatus(t, resp, body, 200)

	// Method filter: a GET does not consume a POST fault.
	s.FailNext(Fault{Method: "POST", Status: 500})
	resp, body = api(t, s, "GET", general, nil)
	wantStatus(t, resp, body, 200)
	resp, body = api(t, s, "POST", general, msg)
	wantStatus(t, resp, body, 500)

	s.FailNext(Fault{Route: "POST /channels/{channel_id}/messages", Status: 429, RetryAfter: 1500 * time.Millisecond})
	resp, body = api(t, s, "POST", general, msg)
	wantStatus(t, resp, body, 429)
	if e := decodeErr(t, body); e.RetryAfter != 1.5 || e.Global {
		t.Fatalf("429 body %s", body)
	}
	if h := resp.Header; h.Get("Retry-After") != "2" || h.Get("X-RateLimit-Scope") != "user" || h.Get("X-RateLimit-Remaining") != "0" || h.Get("X-RateLimit-Bucket") == "" {
		t.Fatalf("429 headers %v", h)
	}

	s.FailNext(Fault{Status: 429, RetryAfter: 250 * time.Millisecond, Global: true})
	resp, body = api(t, s, "GET", "/api/v10/users/@me", nil)
	wantStatus(t, resp, body, 429)
	if e := decodeErr(t, body); e.RetryAfter != 0.25 || !e.Global || resp.Header.Get("X-RateLimit-Global") != "true" || resp.Header.Get("X-RateLimit-Scope") != "global" {
		t.Fatalf("global 429 %v %s", resp.Header, body)
	}

	// A literal path and a non-JSON body, like a proxy's error page.
	s.FailNext(Fault{Route: "/users/@me", Status: 503, Body: "<html>down</html>"})
	resp, body = api(t, s, "GET", "/api/v10/users/@me", nil)
	wantStatus(t, resp, body, 503)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || string(body) != "<html>down</html>" {
		t.Fatalf("custom body %q %v", body, resp.Header)
	}
	if s.CountRequests("", "/users/@me") != 2 {
		t.Fatalf("CountRequests(/users/@me) = %d", s.CountRequests("", "/users/@me"))
	}
}

func TestSetDelay(t *testing.T) {
	s := start(t, Options{})
	s.SetDelay(80 * time.Millisecond)
	t0 := time.Now()
	resp, body := api(t, s, "GET", "/api/v10/users/@me", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if d := time.Since(t0); d < 80*time.Millisecond {
		t.Fatalf("answered after %v, want at least 80ms", d)
	}
	s.SetDelay(0)
	// A delayed request in flight does not hold up Close (checked by the
	// goroutine-leak check in start's cleanup).
	s.SetDelay(time.Hour)
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequest("GET", s.APIBase()+"/users/@me", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	waitFor(t, "the request to be in flight", func() bool { return s.inflight.Load() == 1 })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(waitTimeout):
		t.Fatal("a delayed request outlived Close")
	}
}

func TestRequestHeartbeat(t *testing.T) {
	s := start(t, Options{})
	c, _, _ := connect(t, s, allIntents, nil)
	c.expectDispatch("GUILD_CREATE")
	s.RequestHeartbeat(AllShards)
	if f := c.expectOp(opHeartbeat); string(f.D) != "null" {
		t.Fatalf("op 1 d = %s", f.D)
	}
}

func TestIdentifyIntervalAndResumeWindow(t *testing.T) {
	s := start(t, Options{IdentifyInterval: time.Hour, ResumeWindow: 30 * time.Millisecond})
	c, r, _ := connect(t, s, allIntents, nil)
	c.expectDispatch("GUILD_CREATE")
	// A second identify in the same concurrency bucket is too fast.
	c2 := dial(t, s.GatewayURL())
	c2.hello()
	c2.send(identifyPayload(s.Token(), allIntents, nil))
	if f := c2.expectOp(opInvalidSession); string(f.D) != "false" {
		t.Fatalf("fast identify: op 9 d = %s", f.D)
	}
	// Once the resume window has passed, the session is gone.
	s.DropConnections(0)
	waitFor(t, "the resume window to pass", func() bool { return len(s.Sessions()) == 0 })
	if _, f := resumeOn(t, s, r.ResumeURL, r, 2); f.Op != opInvalidSession {
		t.Fatalf("resume after the window: %+v", f)
	}
}
