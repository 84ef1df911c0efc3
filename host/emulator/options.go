package emulator

import (
	"io"
	"log/slog"
	"time"
)

// NoPrivilegedIntents, as Options.AllowedIntents, enables none of the
// privileged intents (it sets no privileged bit, and is non-zero so it is not
// mistaken for "all").
const NoPrivilegedIntents uint64 = 1 << 63

// RateLimit is the size of one REST bucket: Limit requests per Window for
// each major parameter (channel, guild, webhook or interaction).
type RateLimit struct {
	Limit  int
	Window time.Duration
}

// Options configures a Server. The zero value is usable.
type Options struct {
	Logger *slog.Logger
	// Token is the accepted bot token; "" accepts any non-empty token.
	Token string
	// HeartbeatInterval is sent in Hello (default 41250ms).
	HeartbeatInterval time.Duration
	// HeartbeatTimeout closes (4009) a connection that sends no heartbeat
	// for this long; default the larger of 2×interval and interval+1s.
	HeartbeatTimeout time.Duration
	// Shards is the recommended shard count in GET /gateway/bot (default 1).
	Shards int
	// MinShards, when above 1, makes an Identify with fewer shards fail
	// with 4011 (sharding required).
	MinShards int
	// MaxConcurrency is reported in session_start_limit (default 1).
	MaxConcurrency int
	// IdentifyInterval, when set, is enforced per shard%max_concurrency
	// bucket: a faster Identify gets op 9 false, as Discord does.
	IdentifyInterval time.Duration
	// AllowedIntents holds the privileged intents enabled "in the developer
	// portal"; 0 means all of them, NoPrivilegedIntents none.
	AllowedIntents uint64
	// GlobalRateLimit is requests per second across authorised REST calls
	// (default 50). Interaction callbacks and webhooks are exempt.
	GlobalRateLimit int
	// RateLimits overrides bucket sizes by route, keyed like
	// "POST /channels/{channel_id}/messages". Other routes get 50 per
	// second per major parameter.
	RateLimits map[string]RateLimit
	// Guilds is the number of guilds the bot is in (default 1). Guild i
	// lands on shard i%n for any shard count n up to 16.
	Guilds int
	// ResumeWindow is how long a disconnected session stays resumable
	// (default 2 minutes).
	ResumeWindow time.Duration
	// Now is the clock for interaction deadlines and timestamps.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.HeartbeatInterval <= 0 {
		o.HeartbeatInterval = 41250 * time.Millisecond
	}
	if o.HeartbeatTimeout <= 0 {
		o.HeartbeatTimeout = max(2*o.HeartbeatInterval, o.HeartbeatInterval+time.Second)
	}
	if o.Shards <= 0 {
		o.Shards = 1
	}
	if o.MaxConcurrency <= 0 {
		o.MaxConcurrency = 1
	}
	if o.AllowedIntents == 0 {
		o.AllowedIntents = privilegedIntents
	}
	if o.GlobalRateLimit <= 0 {
		o.GlobalRateLimit = 50
	}
	if o.Guilds <= 0 {
		o.Guilds = 1
	}
	if o.ResumeWindow <= 0 {
		o.ResumeWindow = 2 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
