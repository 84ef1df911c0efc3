package load

import (
	"context"
	"time"
)

// Platform is the emulator as the workloads drive it. The driver adapts
// host/emulator to it; keeping it an interface lets this package build and
// be tested without the emulator's full API.
type Platform interface {
	// APIBase is the REST base URL including the version
	// (http://127.0.0.1:PORT/api/v10); URL is the bare base.
	APIBase() string
	URL() string
	// Token is the bot token the emulator accepts.
	Token() string
	// Send injects a MESSAGE_CREATE with content, from a user, into the
	// bench channel. It returns once the dispatch is queued for sending.
	Send(content string) error
	// Replies delivers every message the bot posts, stamped when the
	// emulator handled the REST call.
	Replies() <-chan Reply
	// WaitReady waits until n gateway sessions are READY and connected.
	WaitReady(ctx context.Context, n int) error
	// LastFrame is the data of the last MESSAGE_CREATE sent, as JSON.
	LastFrame() []byte
	// PrepareBurst builds n MESSAGE_CREATEs with content(i) for the bot's
	// session, encoded for its connection, ready to be sent with no work
	// left but writing them. Nothing else reaches the connection until the
	// burst is sent or cancelled.
	PrepareBurst(ctx context.Context, n int, content func(i int) string) (Burst, error)
}

// Burst is a prepared run of dispatches (host/emulator.Burst).
type Burst interface {
	// Send writes the burst and returns once the last byte is written.
	Send(ctx context.Context) error
	// Cancel gives up an unsent burst (the connection is hung up).
	Cancel()
	// Sample is the data of one ordinary dispatch of the burst, as JSON.
	Sample() []byte
	// Size is the burst's size on the wire, in bytes.
	Size() int
}

// Reply is one message the bot posted.
type Reply struct {
	Content string
	At      time.Time
}
