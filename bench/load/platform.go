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
}

// Reply is one message the bot posted.
type Reply struct {
	Content string
	At      time.Time
}
