// Package gateway owns botrun's Discord gateway sessions: one WebSocket
// per shard, Hello and jittered heartbeats with zombie detection, Identify
// (throttled by max_concurrency and session_start_limit) and Resume on the
// resume URL, op 7 / op 9 handling, close-code classification (fatal codes
// end Run with an actionable *FatalError, the rest reconnect with jittered
// exponential backoff), zlib-stream transport compression, an outbound send
// limiter that keeps room for heartbeats, and the mapping from dispatch
// names to intents.
//
// Dispatches reach the host through one callback, called from each shard's
// own goroutine in sequence order; events replayed by a resume are
// delivered exactly once. The callback also sees READY, RESUMED and a
// synthetic RECONNECTING before every reconnect. The callback may block
// (the host holding events back while a script catches up): the shard
// stops reading its socket meanwhile, so the server's connection pushes
// back, while heartbeats go on from a goroutine of their own and a
// heartbeat ACK left unread behind the backlog is not taken for a zombie
// connection.
//
// The token is sent only inside Identify and Resume payloads and is never
// logged.
package gateway
