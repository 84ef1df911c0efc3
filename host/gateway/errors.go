package gateway

import (
	"fmt"
	"strings"
)

// FatalError is a close code after which reconnecting cannot help. Run
// returns it; its Error says what the user has to do.
type FatalError struct {
	Code   int    // gateway close code (4004, 4010-4014)
	Reason string // the close reason the server sent
	Hint   string // what to do about it
	Shard  int
	// rest is set when the failure came from GET /gateway/bot rather than
	// a close frame (a 401 there is the 4004 of REST).
	rest bool
}

func (e *FatalError) Error() string {
	s := fmt.Sprintf("gateway closed the connection with %d", e.Code)
	if e.rest {
		s = e.Reason
	} else if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s + ": " + e.Hint
}

// fatalError builds the error for a fatal close code, or nil when the code
// is not fatal. intents are the bits that were requested (for 4013/4014).
func fatalError(code int, reason string, intents uint64) *FatalError {
	e := &FatalError{Code: code, Reason: reason}
	switch code {
	case 4004:
		e.Hint = "authentication failed: the token is invalid (reset it in the Developer Portal and set DISCORD_TOKEN)"
	case 4010:
		e.Hint = "invalid shard: the shard id is not below the shard count; fix `shards`/`shard_count` in botrun.toml or remove them to use Discord's recommendation"
	case 4011:
		e.Hint = "sharding required: the bot is in too many guilds for one connection; remove `shard_count` from botrun.toml (botrun then uses Discord's recommended count) or raise it"
	case 4012:
		e.Hint = "invalid API version: the gateway does not accept v10; check the gateway URL (--gateway-url) and the API base (BOTRUN_API_URL)"
	case 4013:
		e.Hint = fmt.Sprintf("invalid intents %d: a requested bit is not a known intent; fix `intents` in botrun.toml", intents)
	case 4014:
		priv := PrivilegedNames(intents)
		which := "privileged intents"
		if len(priv) > 0 {
			which = "the privileged intent(s) " + strings.Join(priv, ", ")
		}
		e.Hint = fmt.Sprintf("disallowed intents: the bot asked for %s, which are not enabled for this application. "+
			"Enable them in the Developer Portal (your application → Bot → Privileged Gateway Intents), "+
			"or set `intents = [...]` in botrun.toml to a list without them (handlers of those events will then receive nothing or empty message content)", which)
	default:
		return nil
	}
	return e
}

// closeAction is what a close code asks for.
type closeAction int

const (
	actResume   closeAction = iota // reconnect and resume when a session exists
	actIdentify                    // reconnect and identify afresh
	actFatal                       // stop
)

func classifyClose(code int) closeAction {
	switch code {
	case 4004, 4010, 4011, 4012, 4013, 4014:
		return actFatal
	case 4007, 4009:
		return actIdentify
	}
	return actResume
}
