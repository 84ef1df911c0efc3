package gateway

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestBackPressureKeepsConnectionHealthy: the host's Dispatch blocks (a
// script catching up) while the server sends about 1 MB, which waits in
// the socket unread. Heartbeats keep going and are not taken for a zombie
// connection, and once the host takes events again every dispatch arrives
// once, in order, on the same connection.
func TestBackPressureKeepsConnectionHealthy(t *testing.T) {
	for _, compress := range []bool{true, false} {
		t.Run(fmt.Sprintf("compress=%v", compress), func(t *testing.T) {
			const n = 1000
			gw := newFakeGW(t)
			release := make(chan struct{})
			blocked := make(chan struct{}, 1)
			got := make(chan Dispatch, n+16)
			h := start(t, gw, func(c *Config) {
				c.DisableCompression = !compress
				c.Dispatch = holdMessages(t, blocked, release, got)
			})
			c := gw.accept()
			c.identifyAndReady(40, "sess-bp")
			if d := <-got; d.Name != "READY" {
				t.Fatalf("first event %s", d.Name)
			}
			body := strings.Repeat("x", 900)
			sent := make(chan struct{})
			go func() {
				defer close(sent)
				for i := range n {
					c.dispatch("MESSAGE_CREATE", int64(i+2), map[string]any{"n": i, "content": body})
				}
			}()
			select {
			case <-blocked:
			case <-time.After(wait):
				t.Fatal("no dispatch reached the host")
			}
			// Five heartbeat intervals with the host not taking events: the
			// client must keep beating and not close the connection.
			for range 5 {
				c.expectBeat()
			}
			select {
			case code := <-c.closed:
				t.Fatalf("connection closed with %d while the host was busy", code)
			default:
			}
			close(release)
			for i := range n {
				select {
				case d := <-got:
					if d.Name != "MESSAGE_CREATE" || d.Seq != int64(i+2) {
						t.Fatalf("event %d: %s seq %d", i, d.Name, d.Seq)
					}
				case <-time.After(wait):
					t.Fatalf("only %d of %d events arrived", i, n)
				}
			}
			<-sent
			// still the same, healthy session: a heartbeat is answered and
			// nothing reconnected
			c.expectBeat()
			select {
			case d := <-got:
				t.Fatalf("unexpected event %s %s", d.Name, d.Data)
			case code := <-c.closed:
				t.Fatalf("connection closed with %d", code)
			default:
			}
			if st := h.m.Status()[0]; !st.Connected || st.Seq != n+1 {
				t.Fatalf("status %+v", st)
			}
		})
	}
}

// TestZombieDetectedOnceHostCatchesUp: while the host holds an event, an
// unacknowledged heartbeat does not count (the ACK may be unread behind
// it); heartbeats go on. Once the host is done and the connection stays
// silent, the missing ACK makes it a zombie.
func TestZombieDetectedOnceHostCatchesUp(t *testing.T) {
	gw := newFakeGW(t)
	release := make(chan struct{})
	got := make(chan Dispatch, 16)
	start(t, gw, func(c *Config) {
		c.Dispatch = holdMessages(t, nil, release, got)
	})
	c := gw.accept()
	c.identifyAndReady(40, "sess-zb")
	<-got // READY
	c.noAck.Store(true)
	c.dispatch("MESSAGE_CREATE", 2, map[string]any{"n": 2})
	for range 4 {
		c.expectBeat()
	}
	select {
	case code := <-c.closed:
		t.Fatalf("closed with %d while the host held an event", code)
	default:
	}
	close(release)
	if code := c.expectClose(); code == 1000 || code == 1001 || code == -1 {
		t.Fatalf("zombie close code %d must keep the session", code)
	}
	for _, want := range []string{"MESSAGE_CREATE", "RECONNECTING"} {
		select {
		case d := <-got:
			if d.Name != want {
				t.Fatalf("got %s, want %s", d.Name, want)
			}
			if want == "RECONNECTING" && !strings.Contains(string(d.Data), "zombie") {
				t.Fatalf("RECONNECTING data = %s", d.Data)
			}
		case <-time.After(wait):
			t.Fatalf("no %s", want)
		}
	}
}

// holdMessages is a host that holds every MESSAGE_CREATE until release is
// closed (telling blocked, if not nil, that it is holding one) and then
// passes each event on to got.
func holdMessages(t *testing.T, blocked chan<- struct{}, release <-chan struct{}, got chan<- Dispatch) func(Dispatch) {
	return func(d Dispatch) {
		if d.Name == "MESSAGE_CREATE" {
			if blocked != nil {
				select {
				case blocked <- struct{}{}:
				default:
				}
			}
			select {
			case <-release:
			case <-time.After(wait):
				t.Error("dispatch was never released")
			}
		}
		got <- d
	}
}
