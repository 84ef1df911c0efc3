package uncord

import (
	"log/slog"
	"time"
)

// RateLimit is Limit requests per Window. Limit < 0 turns the limiter off.
type RateLimit struct {
	Limit  int
	Window time.Duration
}

// Options configures a Server. Zero values take the real server's defaults.
type Options struct {
	Logger *slog.Logger
	// Now is the clock for token lifetimes and rate-limit windows.
	Now func() time.Time

	HeartbeatInterval time.Duration // default 20 s (the real server's minimum is 1 s; tests may go lower)
	IdentifyTimeout   time.Duration // default 30 s; then close 4003
	SessionTTL        time.Duration // how long a dropped session stays resumable, default 5 min
	AccessTTL         time.Duration // default 15 min
	RefreshTTL        time.Duration // default 7 days

	AuthLimit    RateLimit // per IP on /auth/login and /auth/refresh, default 5 per 5 min
	GlobalLimit  RateLimit // per IP on every request, default 60 per minute
	MessageLimit RateLimit // per user and channel on message create, default 5 per 5 s

	// BotEmail and BotPassword are the bot account's credentials, default
	// "bot@botrun.test" / "botrun-password".
	BotEmail    string
	BotPassword string
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HeartbeatInterval <= 0 {
		o.HeartbeatInterval = 20 * time.Second
	}
	if o.IdentifyTimeout <= 0 {
		o.IdentifyTimeout = 30 * time.Second
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 5 * time.Minute
	}
	if o.AccessTTL <= 0 {
		o.AccessTTL = 15 * time.Minute
	}
	if o.RefreshTTL <= 0 {
		o.RefreshTTL = 7 * 24 * time.Hour
	}
	if o.AuthLimit == (RateLimit{}) {
		o.AuthLimit = RateLimit{5, 5 * time.Minute}
	}
	if o.GlobalLimit == (RateLimit{}) {
		o.GlobalLimit = RateLimit{60, time.Minute}
	}
	if o.MessageLimit == (RateLimit{}) {
		o.MessageLimit = RateLimit{5, 5 * time.Second}
	}
	if o.BotEmail == "" {
		o.BotEmail = "bot@botrun.test"
	}
	if o.BotPassword == "" {
		o.BotPassword = "botrun-password"
	}
}
