package rest

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxWait caps any delay read from headers or bodies, so a garbled value
// cannot park a bucket for days.
const maxWait = 15 * time.Minute

// RateLimitHeaders is what one response says about rate limits.
type RateLimitHeaders struct {
	Bucket     string        // X-RateLimit-Bucket, "" when absent
	Limit      int           // X-RateLimit-Limit, -1 when absent
	Remaining  int           // X-RateLimit-Remaining, -1 when absent
	ResetAfter time.Duration // X-RateLimit-Reset-After (or derived from X-RateLimit-Reset), -1 when absent
	RetryAfter time.Duration // Retry-After header, -1 when absent
	Global     bool          // X-RateLimit-Global: true
	Scope      string        // X-RateLimit-Scope: user, global or shared
}

// ParseRateLimitHeaders reads Discord's rate-limit headers. Malformed values
// are treated as absent; durations are clamped to [0, 15 min]. now is used
// only when X-RateLimit-Reset (an epoch time) is the sole reset information.
func ParseRateLimitHeaders(h http.Header, now time.Time) RateLimitHeaders {
	r := RateLimitHeaders{Limit: -1, Remaining: -1, ResetAfter: -1, RetryAfter: -1}
	r.Bucket = strings.TrimSpace(h.Get("X-RateLimit-Bucket"))
	if len(r.Bucket) > 128 {
		r.Bucket = r.Bucket[:128]
	}
	r.Limit = parseCount(h.Get("X-RateLimit-Limit"))
	r.Remaining = parseCount(h.Get("X-RateLimit-Remaining"))
	if d, ok := parseSeconds(h.Get("X-RateLimit-Reset-After")); ok {
		r.ResetAfter = d
	} else if s := strings.TrimSpace(h.Get("X-RateLimit-Reset")); s != "" {
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && f >= 0 && f < 1e11 {
			sec := math.Floor(f)
			at := time.Unix(int64(sec), int64(math.Round((f-sec)*1e6))*1e3)
			r.ResetAfter = clampDur(at.Sub(now))
		}
	}
	if d, ok := parseSeconds(h.Get("Retry-After")); ok {
		r.RetryAfter = d
	}
	r.Global = strings.EqualFold(strings.TrimSpace(h.Get("X-RateLimit-Global")), "true")
	r.Scope = strings.ToLower(strings.TrimSpace(h.Get("X-RateLimit-Scope")))
	return r
}

func parseCount(s string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return -1
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return -1
	}
	if n > 1<<30 {
		n = 1 << 30
	}
	return n
}

// parseSeconds parses a non-negative decimal number of seconds.
func parseSeconds(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, false
	}
	return secondsToDuration(f), true
}

func secondsToDuration(f float64) time.Duration {
	if math.IsNaN(f) || f <= 0 {
		return 0
	}
	if f > maxWait.Seconds() {
		return maxWait
	}
	return time.Duration(f * float64(time.Second))
}

func clampDur(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	if d > maxWait {
		return maxWait
	}
	return d
}
