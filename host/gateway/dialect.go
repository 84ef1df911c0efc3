package gateway

import "context"

// Dialect adapts the session to a Discord-style platform whose gateway
// differs in details (Uncord: short-lived user tokens, a minimal Identify,
// op 9 answered on the same socket, its own close codes). A nil Dialect is
// Discord. Everything else — heartbeats, zombie detection, resume, replay
// dedupe, backoff, compression, send limits — is shared.
type Dialect interface {
	// Token is called before every dial; Identify and Resume use its answer
	// instead of Config.Token. An error whose chain holds a value with a
	// method Fatal() bool returning true ends Run with that error
	// unchanged (bad credentials); any other error counts as a failed
	// connect and is retried with backoff.
	Token(ctx context.Context) (string, error)
	// Identify returns the d of op 2.
	Identify(token string, intents uint64, shard [2]int, presence any) any
	// InvalidSessionSameSocket: on op 9 d=false, identify again at once on
	// the same socket (no close, no 1-5 s wait).
	InvalidSessionSameSocket() bool
	// CloseAction classifies a close code. handled=false falls back to
	// Discord's table; fatal != nil ends Run; fresh identifies afresh;
	// otherwise the shard reconnects and resumes.
	CloseAction(code int, reason string) (fatal *FatalError, fresh bool, handled bool)
}

// presenceDialect is optionally implemented by a Dialect whose presence
// update (op 3) payload differs from Discord's.
type presenceDialect interface {
	Presence(p any) any
}

// fatalCause reports whether err carries a Fatal() bool that is true.
func fatalCause(err error) bool {
	for err != nil {
		if f, ok := err.(interface{ Fatal() bool }); ok && f.Fatal() {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if fatalCause(e) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}
