package uncord

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const userAgent = "botrun (https://github.com/botrun/botrun)"

// Error is a request the server answered with {"error":{"code","message"}}.
//
// Scripts see it like a Discord error: status = Status, code = 0 (Uncord's
// codes are strings, not numbers), message = "<message> (<CODE>)", and
// errors = Raw, the error object as sent, so e.errors.code is the string
// code ("MISSING_PERMISSIONS").
type Error struct {
	Status     int    // HTTP status
	Code       string // Uncord's error code, e.g. "TOKEN_EXPIRED"; "" if the body had none
	Message    string // Uncord's message, or the status text
	Raw        json.RawMessage
	Method     string
	Path       string        // relative to /api/v1, without query
	RetryAfter time.Duration // on 429
}

func (e *Error) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("%s %s: %d %s (%s)", e.Method, e.Path, e.Status, e.Message, e.Code)
	}
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, e.Message)
}

// StatusCode returns the HTTP status.
func (e *Error) StatusCode() int { return e.Status }

// ScriptMessage is the message scripts see: Uncord's message with its
// string code appended.
func (e *Error) ScriptMessage() string {
	if e.Code != "" {
		return e.Message + " (" + e.Code + ")"
	}
	return e.Message
}

// parseError reads an error envelope; it tolerates bodies that are not one.
func parseError(raw []byte) (code, msg string) {
	var env struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &env) == nil {
		return env.Error.Code, env.Error.Message
	}
	return "", ""
}

// retryAfter reads Retry-After in seconds (the only form Uncord sends),
// falling back to def.
func retryAfter(h http.Header, def time.Duration) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 {
			return time.Duration(f * float64(time.Second))
		}
	}
	return def
}
