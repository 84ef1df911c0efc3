package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/botrun/botrun/host/emulator"
	"github.com/botrun/botrun/host/gateway"
)

// TestEmulatorBurstIntoSlowConsumer sends a burst of messages as fast as
// the emulator can make them into a host that is slow now and then and
// once stalls for longer than the emulator's heartbeat timeout. Every
// message arrives once and in order, and the session never reconnects:
// heartbeats went on while the host held events back.
func TestEmulatorBurstIntoSlowConsumer(t *testing.T) {
	const n = 3000
	// The emulator drops a session that sends no heartbeat for 1.5 s, as
	// Discord does after its own timeout.
	emu := startEmulator(t, emulator.Options{HeartbeatInterval: time.Second, HeartbeatTimeout: 1500 * time.Millisecond})
	var mu sync.Mutex // guards got and reconnects
	var got []string
	reconnects := 0
	arrived := make(chan struct{}, 1)
	ready := make(chan struct{}, 1)
	b := startBot(t, emu, func(c *gateway.Config) {
		c.Dispatch = func(d gateway.Dispatch) {
			switch d.Name {
			case "READY":
				ready <- struct{}{}
			case "RECONNECTING":
				mu.Lock()
				reconnects++
				mu.Unlock()
			case "MESSAGE_CREATE":
				mu.Lock()
				got = append(got, content(d))
				k := len(got)
				mu.Unlock()
				switch {
				case k == n/2:
					// longer than the emulator waits for a heartbeat
					time.Sleep(2500 * time.Millisecond)
				case k%250 == 0:
					time.Sleep(20 * time.Millisecond)
				}
				select {
				case arrived <- struct{}{}:
				default:
				}
			}
		}
	})
	select {
	case <-ready:
	case <-time.After(wait):
		t.Fatal("no READY")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Injected as fast as the emulator takes them: its writer queues them
	// for the connection, heartbeat ACKs behind them.
	sent := make(chan error, 1)
	go func() {
		for i := range n {
			if _, err := emu.InjectMessage(emu.ChannelID("general"), fmt.Sprintf("m%d", i)); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(got)
	}
	injected := false
	for count() < n {
		select {
		case <-arrived:
		case err := <-sent:
			// An injection that failed would otherwise show only as
			// messages that never arrived, 30 s later.
			if err != nil {
				t.Fatalf("inject after %d arrived: %v", count(), err)
			}
			injected, sent = true, nil
		case <-ctx.Done():
			mu.Lock()
			r := reconnects
			mu.Unlock()
			t.Fatalf("%d of %d messages arrived (%d reconnects; all injected: %t)", count(), n, r, injected)
		}
	}
	if !injected {
		if err := <-sent; err != nil {
			t.Fatalf("inject: %v", err)
		}
	}
	if _, err := emu.InjectMessage(emu.ChannelID("general"), "after"); err != nil {
		t.Fatal(err)
	}
	for count() < n+1 {
		select {
		case <-arrived:
		case <-ctx.Done():
			t.Fatal("the message after the burst never arrived")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for i := range n {
		if got[i] != fmt.Sprintf("m%d", i) {
			t.Fatalf("message %d is %q", i, got[i])
		}
	}
	if got[n] != "after" || len(got) != n+1 {
		t.Fatalf("after the burst: %v", got[n:])
	}
	if reconnects != 0 {
		t.Fatalf("the session reconnected %d time(s) during the burst", reconnects)
	}
	if st := b.m.Status(); !st[0].Connected {
		t.Fatalf("status %+v", st)
	}
}
