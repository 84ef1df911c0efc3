package e2e

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/botrun/botrun/host/emulator"
	"github.com/botrun/botrun/host/gateway"
)

// TestEmulatorTransientData runs a session with Config.TransientData, with
// and without zlib-stream: Data is lent from the read buffer, and every
// message, copied inside the callback, arrives whole and in order although
// messages of different sizes reuse the same buffer.
func TestEmulatorTransientData(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprintf("compress=%v", compress), func(t *testing.T) {
			emu := startEmulator(t, emulator.Options{})
			const n = 300
			got := make(chan []byte, n+16)
			ready := make(chan struct{}, 1)
			startBot(t, emu, func(c *gateway.Config) {
				c.TransientData = true
				c.DisableCompression = !compress
				c.Dispatch = func(d gateway.Dispatch) {
					switch d.Name {
					case "READY":
						ready <- struct{}{}
					case "MESSAGE_CREATE":
						got <- bytes.Clone(d.Data)
					}
				}
			})
			select {
			case <-ready:
			case <-time.After(wait):
				t.Fatal("no READY")
			}
			want := make([]string, n)
			for i := range want {
				// long and short in turn, so a later message never just
				// overwrites an earlier one byte for byte
				want[i] = fmt.Sprintf("m%d %s", i, strings.Repeat("ab", (i*37)%400))
				if _, err := emu.InjectMessage(emu.ChannelID("general"), want[i]); err != nil {
					t.Fatal(err)
				}
			}
			timeout := time.After(wait)
			for i := range want {
				select {
				case data := <-got:
					if c := content(gateway.Dispatch{Data: data}); c != want[i] {
						t.Fatalf("message %d: content %q, want %q (data %q)", i, c, want[i], data)
					}
				case <-timeout:
					t.Fatalf("%d of %d messages arrived", i, n)
				}
			}
		})
	}
}
