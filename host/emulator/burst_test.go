package emulator

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// connectBurst connects a client with or without zlib-stream and reads it
// up to its GUILD_CREATE.
func connectBurst(t *testing.T, s *Server, compress bool) (*client, ready) {
	t.Helper()
	url := s.GatewayURL() + "/?v=10&encoding=json"
	if compress {
		url += "&compress=zlib-stream"
	}
	c := dial(t, url)
	c.hello()
	c.send(identifyPayload(s.Token(), allIntents, nil))
	var r ready
	if err := json.Unmarshal(c.expectDispatch("READY").D, &r); err != nil {
		t.Fatal(err)
	}
	c.expectDispatch("GUILD_CREATE")
	return c, r
}

func burstContent(i int) string { return "burst message " + itoa(i) }

// TestBurstArrivesExactlyInOrder sends a prepared burst to a real
// WebSocket client, with and without zlib-stream, while the client
// heartbeats and pings, and a message injected after the burst was
// prepared follows it.
func TestBurstArrivesExactlyInOrder(t *testing.T) {
	for _, tc := range []struct {
		name     string
		compress bool
		dir      string // where the wire bytes are kept
	}{
		{"json", false, burstDir},
		{"zlib-stream", true, burstDir},
		{"json in memory", false, "/nonexistent"},
		{"zlib-stream in memory", true, "/nonexistent"},
	} {
		compress := tc.compress
		t.Run(tc.name, func(t *testing.T) {
			defer func(dir string) { burstDir = dir }(burstDir)
			burstDir = tc.dir
			// The client heartbeats once, before the burst.
			s := start(t, Options{HeartbeatInterval: 100 * time.Millisecond, HeartbeatTimeout: time.Minute})
			c, _ := connectBurst(t, s, compress)
			const n = 1500 // more than one 1 MiB chunk uncompressed
			b, err := s.PrepareBurst(ctxTimeout(t), s.ChannelID("general"), n, burstContent)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(tc.dir); (err == nil) != (b.file != nil) {
				t.Fatalf("kept in a file: %v; %s exists: %v", b.file != nil, tc.dir, err == nil)
			}
			if b.Len() != n || b.Seq() != 3 || b.Size() < n*4 {
				t.Fatalf("burst: %d dispatches from seq %d, %d bytes", b.Len(), b.Seq(), b.Size())
			}
			if m := unmarshal[Message](t, b.Sample()); m.Content != burstContent(0) {
				t.Fatalf("sample: %s", b.Sample())
			}
			// Dispatched after the burst was prepared: sent after it.
			after, err := s.InjectMessage(s.ChannelID("general"), "after the burst")
			if err != nil {
				t.Fatal(err)
			}
			var pongs atomic.Int32
			c.ws.SetPongHandler(func(string) error { pongs.Add(1); return nil })
			c.send(map[string]any{"op": 1, "d": 2})
			sent := make(chan error, 1)
			go func() { sent <- b.Send(context.Background()) }()

			ids, nonces := map[string]bool{}, map[string]bool{}
			for i := range n {
				if i == 100 {
					if err := c.ws.WriteControl(websocket.PingMessage, []byte("mid-burst"), time.Now().Add(waitTimeout)); err != nil {
						t.Fatal(err)
					}
				}
				f := c.next()
				if f.Op != opDispatch || f.T != "MESSAGE_CREATE" || f.S == nil || *f.S != b.Seq()+int64(i) {
					t.Fatalf("event %d: op %d %s s=%v", i, f.Op, f.T, f.S)
				}
				var m struct {
					Message
					Nonce string `json:"nonce"`
				}
				if err := json.Unmarshal(f.D, &m); err != nil {
					t.Fatal(err)
				}
				if m.Content != burstContent(i) || m.Author.ID != s.TestUser().ID || m.ChannelID != s.ChannelID("general") {
					t.Fatalf("event %d: %s", i, f.D)
				}
				if ids[m.ID] || nonces[m.Nonce] || m.Nonce == "" || m.Timestamp == "" {
					t.Fatalf("event %d: id %q or nonce %q repeats or is missing", i, m.ID, m.Nonce)
				}
				ids[m.ID], nonces[m.Nonce] = true, true
			}
			if err := <-sent; err != nil {
				t.Fatal(err)
			}
			// The later message follows with the next sequence number, then
			// the ACK of the heartbeat sent after it, during the burst.
			f := c.next()
			if f.Op != opDispatch || *f.S != b.Seq()+n || unmarshal[Message](t, f.D).ID != after.ID {
				t.Fatalf("after the burst: op %d s=%v %s", f.Op, f.S, f.D)
			}
			if f := c.next(); f.Op != opHeartbeatACK {
				t.Fatalf("want the heartbeat ACK, got op %d %s", f.Op, f.D)
			}
			// The pong went out when the server read the ping, before it
			// read this heartbeat.
			c.send(map[string]any{"op": 1, "d": n})
			if f := c.next(); f.Op != opHeartbeatACK {
				t.Fatalf("want the heartbeat ACK, got op %d %s", f.Op, f.D)
			}
			if pongs.Load() != 1 {
				t.Fatalf("%d pongs for one ping sent mid-burst", pongs.Load())
			}
			if compress && (c.frames == 0 || c.badSuffix != 0) {
				t.Fatalf("%d compressed frames, %d not binary or without the sync-flush suffix", c.frames, c.badSuffix)
			}
			if err := b.Send(context.Background()); err == nil {
				t.Fatal("a burst sent twice")
			}
		})
	}
}

// TestBurstResumeReplaysItsTail: a client that loses its connection after
// a burst resumes from within the last 2,000 events; from further back
// the resume is refused, as after a long outage.
func TestBurstResumeReplaysItsTail(t *testing.T) {
	s := start(t, Options{})
	c, r := connectBurst(t, s, false)
	const n = 2500
	b, err := s.PrepareBurst(ctxTimeout(t), s.ChannelID("general"), n, burstContent)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Send(ctxTimeout(t)); err != nil {
		t.Fatal(err)
	}
	_ = c.ws.NetConn().Close() // network failure
	waitFor(t, "the session to lose its connection", func() bool { return connectedSessions(s) == 0 })
	last := b.Seq() + n - 1

	old := dial(t, r.ResumeURL+"?v=10&encoding=json")
	old.hello()
	old.send(map[string]any{"op": 6, "d": map[string]any{"token": s.Token(), "session_id": r.SessionID, "seq": b.Seq() + 10}})
	if f := old.expectOp(opInvalidSession); string(f.D) != "false" {
		t.Fatalf("resume from before the buffer: op 9 %s", f.D)
	}

	c2 := dial(t, r.ResumeURL+"?v=10&encoding=json")
	c2.hello()
	c2.send(map[string]any{"op": 6, "d": map[string]any{"token": s.Token(), "session_id": r.SessionID, "seq": last - 3}})
	for seq := last - 2; seq <= last; seq++ {
		f := c2.expectDispatch("MESSAGE_CREATE")
		if *f.S != seq || unmarshal[Message](t, f.D).Content != burstContent(int(seq-b.Seq())) {
			t.Fatalf("replay: want s=%d, got s=%d %s", seq, *f.S, f.D)
		}
	}
	if f := c2.expectDispatch("RESUMED"); *f.S != last+1 {
		t.Fatalf("RESUMED s = %d, want %d", *f.S, last+1)
	}
}

// TestBurstCancelHangsUp: a prepared burst that is given up leaves the
// client a gap it cannot see, so the connection is hung up.
func TestBurstCancelHangsUp(t *testing.T) {
	s := start(t, Options{})
	c, _ := connectBurst(t, s, true)
	b, err := s.PrepareBurst(ctxTimeout(t), s.ChannelID("general"), 10, burstContent)
	if err != nil {
		t.Fatal(err)
	}
	b.Cancel()
	if _, err := c.read(); err == nil {
		t.Fatal("the connection lived on after a cancelled burst")
	}
	if err := b.Send(ctxTimeout(t)); err == nil {
		t.Fatal("Send after Cancel succeeded")
	}
	waitFor(t, "the session to lose its connection", func() bool { return connectedSessions(s) == 0 })
}

func TestPrepareBurstRefuses(t *testing.T) {
	s := start(t, Options{})
	general := s.ChannelID("general")
	tests := []struct {
		name    string
		setup   func(t *testing.T)
		channel string
		n       int
		content func(int) string
		want    string
	}{
		{"no session", func(*testing.T) {}, general, 5, burstContent, "0 sessions"},
		{"no messages", func(*testing.T) {}, general, 0, burstContent, "0 messages"},
		{"unknown channel", func(*testing.T) {}, "42", 5, burstContent, "unknown channel"},
		{"empty message", func(t *testing.T) { connectBurst(t, s, false) }, general, 5, func(int) string { return "" }, "message 0: Cannot send an empty message"},
		{"two sessions", func(t *testing.T) { connectBurst(t, s, false) }, general, 5, burstContent, "2 sessions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.setup(t)
			_, err := s.PrepareBurst(ctxTimeout(t), tt.channel, tt.n, tt.content)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

// BenchmarkBurst is the load generator's cost per event: preparing a
// burst of ~1 KB MESSAGE_CREATEs (reported as prepare-ns/event) and
// writing it to a connected client (send-ns/event), whose reading side
// only drains the socket. Run with -cpu 1 so time is CPU time.
func BenchmarkBurst(b *testing.B) {
	content := "hello " + strings.Repeat("this is an ordinary chat message that the bot reads and ignores. ", 7)
	forTransports(b, func(b *testing.B, compress bool) {
		s, ws := benchSession(b, compress)
		drained := make(chan error, 1)
		go func() {
			_, err := io.Copy(io.Discard, ws.NetConn())
			drained <- err
		}()
		b.ResetTimer()
		burst, err := s.PrepareBurst(b.Context(), s.ChannelID("general"), b.N, func(int) string { return content })
		if err != nil {
			b.Fatal(err)
		}
		prepared := b.Elapsed()
		size := burst.Size()
		if err := burst.Send(b.Context()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(float64(prepared.Nanoseconds())/float64(b.N), "prepare-ns/event")
		b.ReportMetric(float64((b.Elapsed()-prepared).Nanoseconds())/float64(b.N), "send-ns/event")
		b.ReportMetric(float64(size)/float64(b.N), "wire-B/event")
		_ = ws.NetConn().Close()
		if err := <-drained; err != nil && !isClosed(err) {
			b.Fatal(err)
		}
	})
}

func isClosed(err error) bool { return strings.Contains(err.Error(), net.ErrClosed.Error()) }

// TestBurstUnsentDoesNotBlockClose: the server shuts down (its cleanup
// checks for leaked goroutines) with a burst prepared and never sent.
func TestBurstUnsentDoesNotBlockClose(t *testing.T) {
	s := start(t, Options{})
	connectBurst(t, s, true)
	if _, err := s.PrepareBurst(ctxTimeout(t), s.ChannelID("general"), 10, burstContent); err != nil {
		t.Fatal(err)
	}
}

// TestPrepareBurstGivesUpWithItsContext: a burst whose connection is
// still busy with earlier frames when the context ends dispatches
// nothing, and the connection carries on.
func TestPrepareBurstGivesUpWithItsContext(t *testing.T) {
	s := start(t, Options{})
	c, _ := connectBurst(t, s, false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// The writer may or may not reach the burst before the cancelled
	// context is seen; either way the session stays consistent.
	b, err := s.PrepareBurst(ctx, s.ChannelID("general"), 5, burstContent)
	next := int64(3)
	if err == nil {
		if err := b.Send(ctxTimeout(t)); err != nil {
			t.Fatal(err)
		}
		for range 5 {
			c.expectDispatch("MESSAGE_CREATE")
		}
		next += 5
	}
	if _, err := s.InjectMessage(s.ChannelID("general"), "after"); err != nil {
		t.Fatal(err)
	}
	f := c.expectDispatch("MESSAGE_CREATE")
	if *f.S != next || unmarshal[Message](t, f.D).Content != "after" {
		t.Fatalf("after the given-up burst: s=%d %s", *f.S, f.D)
	}
}
