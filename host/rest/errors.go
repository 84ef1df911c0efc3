package rest

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

var (
	// ErrUnauthorized is returned for every request after the platform has
	// answered 401 once: the token is invalid and further calls would only
	// count toward the invalid-request ban.
	ErrUnauthorized = errors.New("the token was rejected (401 Unauthorized); reset it in the Developer Portal and set DISCORD_TOKEN")
	// ErrInvalidRequestLimit is returned when sending would come too close
	// to Discord's limit of 10,000 invalid (401/403/429) responses per ten
	// minutes, which leads to a temporary IP ban.
	ErrInvalidRequestLimit = errors.New("too many rejected requests (401/403/429) in the last 10 minutes; refusing to send to avoid an IP ban")
)

// Error is a request the platform answered with a non-2xx status.
type Error struct {
	Status     int             // HTTP status
	Code       int             // Discord JSON error code, 0 when absent
	Message    string          // Discord's message, or the status text
	Errors     json.RawMessage // field errors (code 50035), may be nil
	Method     string
	Path       string        // path relative to the API base, without query
	RetryAfter time.Duration // set on 429
	unauth     bool
}

func (e *Error) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("%s %s: %d %s (code %d)", e.Method, e.Path, e.Status, e.Message, e.Code)
	}
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, e.Message)
}

// StatusCode returns the HTTP status, for callers that only know the
// interface{ StatusCode() int }.
func (e *Error) StatusCode() int { return e.Status }

// FieldErrors returns Discord's nested field errors (for code 50035
// "Invalid Form Body"), or nil.
func (e *Error) FieldErrors() json.RawMessage { return e.Errors }

// Is makes errors.Is(err, ErrUnauthorized) true for the 401 that tripped it.
func (e *Error) Is(target error) bool { return e.unauth && target == ErrUnauthorized }

// RateLimitError is returned instead of waiting when the caller asked not to
// wait (WithoutWait) and the request is rate limited.
type RateLimitError struct {
	Method, Path string
	Bucket       string // X-RateLimit-Bucket, or the route when unknown
	Global       bool
	RetryAfter   time.Duration
}

func (e *RateLimitError) Error() string {
	scope := "bucket " + e.Bucket
	if e.Global {
		scope = "global limit"
	}
	return fmt.Sprintf("%s %s: rate limited (%s), retry after %s", e.Method, e.Path, scope, e.RetryAfter.Round(time.Millisecond))
}

// apiErrorBody is Discord's JSON error shape.
type apiErrorBody struct {
	Code       int             `json:"code"`
	Message    string          `json:"message"`
	Errors     json.RawMessage `json:"errors"`
	RetryAfter float64         `json:"retry_after"`
	Global     bool            `json:"global"`
}
