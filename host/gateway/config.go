package gateway

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/gorilla/websocket"
)

// Dispatch is one event for the host: a gateway dispatch (op 0) exactly as
// the server sent it, or one of the lifecycle signals READY (the real
// dispatch), RESUMED, and the synthetic RECONNECTING whose Data is
// {"shard":N,"reason":"...","resume":bool} and whose Seq is 0.
//
// Data is found, not validated: the gateway delimits d and leaves its
// syntax to the consumer's parser, so a host must handle data that does
// not parse (botrun's runner logs and drops such an event).
type Dispatch struct {
	Name  string
	Data  json.RawMessage
	Shard int
	Seq   int64
}

// BotInfo is the answer of GET /gateway/bot. Its layout matches
// rest.GatewayBot field for field, so the CLI can convert one into the
// other with gateway.BotInfo(gb).
type BotInfo struct {
	URL               string `json:"url"`
	Shards            int    `json:"shards"`
	SessionStartLimit struct {
		Total          int `json:"total"`
		Remaining      int `json:"remaining"`
		ResetAfter     int `json:"reset_after"` // milliseconds
		MaxConcurrency int `json:"max_concurrency"`
	} `json:"session_start_limit"`
}

// Properties are the connection properties sent in Identify.
type Properties struct {
	OS      string `json:"os"`
	Browser string `json:"browser"`
	Device  string `json:"device"`
}

// Config configures a Manager. Zero values take the documented defaults.
type Config struct {
	Token string
	// Bot fetches GET /gateway/bot (URL, recommended shards, session start
	// limit). Optional when GatewayURL is set; when both are set the URL
	// override wins and the rest of the answer is still used.
	Bot        func(ctx context.Context) (BotInfo, error)
	GatewayURL string
	Intents    uint64
	// Shards lists the shard ids this process runs (default: all of
	// 0..count-1). ShardCount is the total; 0 means Discord's
	// recommendation (1 without Bot).
	Shards     []int
	ShardCount int
	// DisableCompression turns zlib-stream transport compression off.
	DisableCompression bool
	// FreshSessions identifies afresh after every disconnect instead of
	// resuming.
	FreshSessions  bool
	Properties     *Properties // default {os: GOOS, browser: "botrun", device: "botrun"}
	Presence       any         // initial presence sent in Identify
	LargeThreshold int         // 50-250, default 50
	// Dispatch receives every event, called from the shard's goroutine in
	// order; it must not block for long (hand work to a queue).
	Dispatch func(Dispatch)
	// TransientData hands Dispatch.Data in the connection's read buffer
	// instead of a copy per message: it is valid only until Dispatch
	// returns, and Dispatch must copy whatever it keeps. A host that
	// parses each event into its own structure anyway saves a copy and
	// an allocation per event.
	TransientData bool
	Logger        *slog.Logger
	Dialer        *websocket.Dialer
	// Dialect adapts the session to a platform other than Discord; nil is
	// Discord. With a Dialect, Token may be empty (Dialect.Token supplies it).
	Dialect Dialect

	// Timing and test knobs.
	Now                func() time.Time
	Rand               func() float64   // in [0,1); heartbeat and backoff jitter
	BackoffMin         time.Duration    // first reconnect backoff step, default 1 s
	BackoffMax         time.Duration    // backoff cap, default 60 s
	InvalidSessionWait [2]time.Duration // op 9 d=false wait range, default 1-5 s
	IdentifyInterval   time.Duration    // per max_concurrency bucket, default 5 s
	HelloTimeout       time.Duration    // dial plus Hello, default 20 s
	SendLimit          int              // sends per SendWindow, default 120
	SendReserve        int              // slots kept for heartbeats, default 5
	SendWindow         time.Duration    // default 60 s
	MaxMessageSize     int              // largest inbound message, default 32 MiB
	APIVersion         int              // default 10
}

func (c *Config) defaults() {
	if c.Properties == nil {
		c.Properties = &Properties{OS: runtime.GOOS, Browser: "botrun", Device: "botrun"}
	}
	if c.LargeThreshold == 0 {
		c.LargeThreshold = 50
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Dialer == nil {
		// Like the REST client's default transport, honour HTTPS_PROXY.
		// A burst is read 256 KiB per system call: against 32 KiB, the
		// median CPU per event in the throughput benchmark fell by 6%
		// (JS) to 12% (Lua) over 13–14 alternating pairs. Only the part
		// a read fills is touched, so an idle bot's memory is the same.
		c.Dialer = &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 15 * time.Second,
			ReadBufferSize: 256 << 10, WriteBufferSize: 4 << 10}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = randFloat
	}
	if c.BackoffMin <= 0 {
		c.BackoffMin = time.Second
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = 60 * time.Second
	}
	if c.InvalidSessionWait == [2]time.Duration{} {
		c.InvalidSessionWait = [2]time.Duration{time.Second, 5 * time.Second}
	}
	if c.IdentifyInterval <= 0 {
		c.IdentifyInterval = 5 * time.Second
	}
	if c.HelloTimeout <= 0 {
		c.HelloTimeout = 20 * time.Second
	}
	if c.SendLimit <= 0 {
		c.SendLimit = 120
	}
	if c.SendReserve <= 0 {
		c.SendReserve = 5
	}
	if c.SendWindow <= 0 {
		c.SendWindow = 60 * time.Second
	}
	if c.MaxMessageSize <= 0 {
		c.MaxMessageSize = 32 << 20
	}
	if c.APIVersion <= 0 {
		c.APIVersion = 10
	}
}
