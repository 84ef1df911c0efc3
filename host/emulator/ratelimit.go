package emulator

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// defaultRouteLimit is generous so ordinary tests never wait; tests that
// exercise rate limiting shrink a bucket with SetRateLimit.
var defaultRouteLimit = RateLimit{Limit: 50, Window: time.Second}

// bucketState is a fixed-window counter. Server.mu guards it.
type bucketState struct {
	limit     int
	window    time.Duration
	remaining int
	reset     time.Time
}

// take consumes one request; it returns how long to wait when exhausted.
func (b *bucketState) take(now time.Time) (ok bool, retry time.Duration) {
	if !now.Before(b.reset) {
		b.remaining = b.limit
		b.reset = now.Add(b.window)
	}
	if b.remaining <= 0 {
		return false, b.reset.Sub(now)
	}
	b.remaining--
	return true, 0
}

// SetRateLimit sets the bucket size of one route, e.g.
// SetRateLimit("POST /channels/{channel_id}/messages", 1, time.Second).
// Existing counters of that route restart. A limit or window of 0
// restores the default.
func (s *Server) SetRateLimit(route string, limit int, window time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if limit <= 0 || window <= 0 {
		delete(s.routeLimits, route)
	} else {
		s.routeLimits[route] = RateLimit{Limit: limit, Window: window}
	}
	prefix := bucketHash(route) + ":"
	for k := range s.buckets {
		if strings.HasPrefix(k, prefix) {
			delete(s.buckets, k)
		}
	}
}

// bucketHash is the X-RateLimit-Bucket id: it names the route template,
// so it never includes the major parameter's value.
func bucketHash(route string) string {
	sum := sha1.Sum([]byte(route))
	return hex.EncodeToString(sum[:8])
}

// majorParam is the top-level resource a bucket is tracked per.
func majorParam(path string) string {
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	switch {
	case len(seg) >= 2 && (seg[0] == "channels" || seg[0] == "guilds"):
		return seg[1]
	case len(seg) >= 3 && seg[0] == "webhooks", len(seg) >= 3 && seg[0] == "interactions":
		return seg[1] + "/" + seg[2]
	case len(seg) >= 4 && seg[0] == "applications" && seg[2] == "guilds":
		return seg[3]
	}
	return ""
}

// rateLimit applies the global and the route limit and sets the headers;
// it answers 429 and returns false when a limit is exceeded.
func (s *Server) rateLimit(w http.ResponseWriter, route, path string, exempt bool) bool {
	now := time.Now()
	s.mu.Lock()
	if !exempt && !isPublicRoute(route) {
		if s.global == nil {
			s.global = &bucketState{limit: s.opts.GlobalRateLimit, window: time.Second}
		}
		if ok, retry := s.global.take(now); !ok {
			s.mu.Unlock()
			write429(w, retry, true, "global")
			return false
		}
	}
	hash := bucketHash(route)
	key := hash + ":" + majorParam(path)
	b := s.buckets[key]
	if b == nil {
		lim, ok := s.routeLimits[route]
		if !ok {
			lim = defaultRouteLimit
		}
		b = &bucketState{limit: lim.Limit, window: lim.Window}
		s.buckets[key] = b
	}
	ok, retry := b.take(now)
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(b.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(b.remaining))
	h.Set("X-RateLimit-Reset", fmt.Sprintf("%.3f", float64(b.reset.UnixMilli())/1000))
	h.Set("X-RateLimit-Reset-After", fmtSeconds(b.reset.Sub(now)))
	h.Set("X-RateLimit-Bucket", hash)
	s.mu.Unlock()
	if !ok {
		write429(w, retry, false, "user")
		return false
	}
	return true
}

func write429(w http.ResponseWriter, retry time.Duration, global bool, scope string) {
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
	h.Set("X-RateLimit-Scope", scope)
	if global {
		h.Set("X-RateLimit-Global", "true")
	}
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"message":     "You are being rate limited.",
		"retry_after": math.Round(retry.Seconds()*1000) / 1000,
		"global":      global,
	})
}
