package gateway

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

var benchMsg = fmt.Sprintf(`{"op":0,"s":42,"t":"MESSAGE_CREATE","d":{"id":"1234567890123456789","channel_id":"1234567890123456780","guild_id":"1234567890123456781","author":{"id":"1","username":"tester","global_name":"Tester","avatar":null},"content":%q,"timestamp":"2026-11-23T10:00:00.000000+00:00","tts":false,"mentions":[],"attachments":[],"embeds":[]}}`, strings.Repeat("hello ", 40))

func BenchmarkZlibStream(b *testing.B) {
	msgs := make([]string, 2048) // long enough for the window to be full most of the time
	for i := range msgs {
		msgs[i] = strings.Replace(benchMsg, `"s":42`, fmt.Sprintf(`"s":%d`, i), 1)
	}
	chunks := zlibMessages(b, msgs)
	b.SetBytes(int64(len(benchMsg)))
	b.ReportAllocs()
	z := newZlibStream(1 << 20)
	for i := 0; b.Loop(); i++ {
		if i%len(chunks) == 0 {
			z = newZlibStream(1 << 20)
		}
		if out, err := z.feed(chunks[i%len(chunks)]); err != nil || out == nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeFrame(b *testing.B) {
	data := []byte(benchMsg)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeFrame(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConnectionDispatch is one MESSAGE_CREATE through a real
// WebSocket on 127.0.0.1 without compression (BenchmarkZlibStream covers
// inflating): socket read, frame decode, the connection's state machine and
// the Dispatch callback, which only counts. The server writes one prepared
// message over and over, so most of the time is the client's.
func BenchmarkConnectionDispatch(b *testing.B) {
	const hello = `{"op":10,"d":{"heartbeat_interval":45000}}`
	got := make(chan struct{}, 1)
	var n, want atomic.Int64
	up := websocket.Upgrader{}
	start := make(chan *websocket.Conn, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		go func() { // identify and heartbeats are read and ignored
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
			}
		}()
		ws.WriteMessage(websocket.TextMessage, []byte(hello))
		ws.WriteMessage(websocket.TextMessage, []byte(readyMsg))
		start <- ws
	}))
	defer srv.Close()
	m, err := New(Config{Token: testToken, GatewayURL: "ws" + strings.TrimPrefix(srv.URL, "http"),
		DisableCompression: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Dispatch: func(d Dispatch) {
			if d.Name == "MESSAGE_CREATE" && n.Add(1) == want.Load() {
				got <- struct{}{}
			}
		}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() { cancel(); <-done }()
	ws := <-start
	// without a sequence number, so that the same message is never a
	// duplicate of the previous one
	msg := strings.Replace(benchMsg, `"s":42`, `"s":null`, 1)
	// one batch of server frames (text, unmasked) written with one call,
	// so that the server costs next to nothing per message
	var frame []byte
	frame = append(frame, 0x81, 126, byte(len(msg)>>8), byte(len(msg)))
	frame = append(frame, msg...)
	const per = 1024
	blob := bytes.Repeat(frame, per)
	raw := ws.UnderlyingConn()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	b.ResetTimer()
	for sent := 0; sent < b.N; {
		k := min(b.N-sent, per)
		n.Store(0)
		want.Store(int64(k))
		if _, err := raw.Write(blob[:k*len(frame)]); err != nil {
			b.Fatal(err)
		}
		select {
		case <-got:
		case <-time.After(30 * time.Second):
			b.Fatalf("%d of %d dispatches arrived", n.Load(), k)
		}
		sent += k
	}
}

const readyMsg = `{"op":0,"s":1,"t":"READY","d":{"v":10,"session_id":"s","resume_gateway_url":"ws://127.0.0.1:1","user":{"id":"1","username":"bot"}}}`
