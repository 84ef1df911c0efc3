package uncord

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/botrun/botrun/host/gateway"
)

// GatewayURL is Uncord's fixed gateway address for a server URL:
// http(s)://host → ws(s)://host/api/v1/gateway. (Uncord ignores the query
// parameters the shared session adds.)
func GatewayURL(base string) (string, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil {
		return "", err
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return "", &url.Error{Op: "gateway url", URL: base, Err: errScheme}
	}
	u.Path = strings.TrimSuffix(u.Path, "/api/v1") + "/api/v1/gateway"
	u.RawQuery = ""
	return u.String(), nil
}

type schemeError struct{}

func (schemeError) Error() string {
	return "base_url must start with http://, https://, ws:// or wss://"
}

var errScheme = schemeError{}

// GatewayDialect is gateway.Dialect for Uncord.
type GatewayDialect struct {
	auth *Auth
	log  *slog.Logger
	now  func() time.Time

	mu       sync.Mutex // guards last and reauthAt
	last     string     // token handed out for the current connection
	reauthAt time.Time  // when a 4004 last made us re-authenticate
}

// NewGatewayDialect returns the dialect; the gateway asks auth for a token
// before every connect, so a reconnect never uses an expired JWT.
func NewGatewayDialect(auth *Auth, log *slog.Logger) *GatewayDialect {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &GatewayDialect{auth: auth, log: log, now: auth.cfg.Now}
}

var _ gateway.Dialect = (*GatewayDialect)(nil)

// Token returns a fresh access token (refreshing it when it is close to
// expiry). Credential errors are fatal (*AuthError).
func (d *GatewayDialect) Token(ctx context.Context) (string, error) {
	tok, err := d.auth.Token(ctx)
	if err != nil {
		return "", err
	}
	d.mu.Lock()
	d.last = tok
	d.mu.Unlock()
	return tok, nil
}

// Identify is Uncord's op 2: the token and nothing else (no intents,
// properties, shards or presence).
func (d *GatewayDialect) Identify(token string, intents uint64, shard [2]int, presence any) any {
	return map[string]string{"token": token}
}

// InvalidSessionSameSocket: Uncord keeps the socket open after op 9 and
// accepts an identify on it at once.
func (d *GatewayDialect) InvalidSessionSameSocket() bool { return true }

// reauthWindow: a second 4004 this soon after re-authenticating is fatal.
const reauthWindow = time.Minute

// CloseAction: 4004 re-authenticates once and identifies afresh; a second
// 4004 right after is fatal. Uncord does not use Discord's fatal codes
// 4010-4014 (their meanings there are Discord's), so they only reconnect.
func (d *GatewayDialect) CloseAction(code int, reason string) (*gateway.FatalError, bool, bool) {
	switch code {
	case 4004:
		d.mu.Lock()
		defer d.mu.Unlock()
		now := d.now()
		if !d.reauthAt.IsZero() && now.Sub(d.reauthAt) < reauthWindow {
			return &gateway.FatalError{Code: code, Reason: reason,
				Hint: "the Uncord server rejected the bot's access token again right after botrun re-authenticated; " +
					"check that the bot account (UNCORD_EMAIL/UNCORD_PASSWORD or UNCORD_REFRESH_TOKEN) is verified, not banned and an active member"}, false, true
		}
		d.reauthAt = now
		d.auth.Invalidate(d.last)
		d.log.Warn("uncord: gateway rejected the token (4004); re-authenticating once", "reason", reason)
		return nil, true, true
	case 4003, 4005, 4007, 4009:
		return nil, true, true
	case 4010, 4011, 4012, 4013, 4014:
		return nil, false, true
	}
	return nil, false, false
}

// Presence turns a Discord presence ({status, activities, afk, since})
// into Uncord's op 3 {"status"}; Uncord has no activities. Unknown
// statuses become "online" (the server would close with 4002).
func (d *GatewayDialect) Presence(p any) any {
	status := "online"
	if m, ok := p.(map[string]any); ok {
		if s, ok := m["status"].(string); ok {
			switch s {
			case "online", "idle", "dnd", "invisible":
				status = s
			case "offline":
				status = "invisible"
			}
		}
	}
	return map[string]string{"status": status}
}

// GatewayConfig returns a gateway.Config set up for Uncord: the fixed
// gateway URL, no compression (Uncord has none), one shard, the dialect,
// and no Discord identify spacing (Uncord has no max_concurrency; a short
// interval still keeps a flapping connection from hammering the per-IP
// limit, which the WebSocket upgrade counts against). The caller adds
// Dispatch and, if it likes, Logger and timing knobs.
func GatewayConfig(base string, auth *Auth, log *slog.Logger) (gateway.Config, error) {
	u, err := GatewayURL(base)
	if err != nil {
		return gateway.Config{}, err
	}
	return gateway.Config{GatewayURL: u, DisableCompression: true, ShardCount: 1,
		Dialect: NewGatewayDialect(auth, log), IdentifyInterval: time.Second, Logger: log}, nil
}
