// Package host is the platform side of botrun: everything that talks to a
// chat platform and knows nothing of scripts. Its subpackages own the
// gateway session (gateway), the REST client and its rate limits (rest),
// slash-command sync and interaction routing (commands), persistence
// (store), platform dialects, and the built-in emulator (emulator).
//
// host never imports engine or bindings; cmd/botrun adapts host types to
// the interfaces bindings declares.
package host
