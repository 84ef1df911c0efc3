package emulator

import (
	"testing"

	"github.com/gorilla/websocket"
)

// BenchmarkInjectMessage measures injecting a message and delivering its
// MESSAGE_CREATE to one connected client, end to end over a WebSocket.
func BenchmarkInjectMessage(b *testing.B) {
	forTransports(b, func(b *testing.B, compress bool) {
		s, ws := benchSession(b, compress)
		_, _, _ = ws.ReadMessage() // Hello
		_, _, _ = ws.ReadMessage() // READY
		_, _, _ = ws.ReadMessage() // GUILD_CREATE
		done := make(chan error, 1)
		b.ResetTimer()
		go func() {
			for range b.N {
				if _, _, err := ws.ReadMessage(); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
		general := s.ChannelID("general")
		for range b.N {
			if _, err := s.InjectMessage(general, "!ping benchmark message"); err != nil {
				b.Fatal(err)
			}
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	})
}

// forTransports runs bench once per transport: plain JSON and zlib-stream.
func forTransports(b *testing.B, bench func(b *testing.B, compress bool)) {
	for _, compress := range []bool{false, true} {
		name := "json"
		if compress {
			name = "zlib-stream"
		}
		b.Run(name, func(b *testing.B) { bench(b, compress) })
	}
}

// benchSession starts an emulator and connects one identified client,
// asking for zlib-stream when compress is set. Both close with b.
func benchSession(b *testing.B, compress bool) (*Server, *websocket.Conn) {
	b.Helper()
	s := New(Options{})
	if err := s.Start("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	url := s.GatewayURL() + "/?v=10&encoding=json"
	if compress {
		url += "&compress=zlib-stream"
	}
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ws.Close() })
	_ = ws.WriteJSON(identifyPayload(s.Token(), allIntents, nil))
	if err := s.WaitSessions(b.Context(), 1); err != nil {
		b.Fatal(err)
	}
	return s, ws
}
