package uncord

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"time"
)

// window is a fixed-window counter, like the real server's limiter.
type window struct {
	start time.Time
	count int
}

// takeLocked counts one hit on key against lim. It returns the remaining
// budget, the seconds until the window resets, and whether the hit is
// allowed.
func (s *Server) takeLocked(key string, lim RateLimit) (remaining, reset int, ok bool) {
	if lim.Limit < 0 {
		return 1, 0, true
	}
	now := s.opts.Now()
	w := s.limits[key]
	if w == nil || now.Sub(w.start) >= lim.Window {
		w = &window{start: now}
		s.limits[key] = w
	}
	reset = int(math.Ceil(w.start.Add(lim.Window).Sub(now).Seconds()))
	reset = max(reset, 1)
	if w.count >= lim.Limit {
		return 0, reset, false
	}
	w.count++
	return lim.Limit - w.count, reset, true
}

func rateLimited(reset int) *apiError {
	return &apiError{status: http.StatusTooManyRequests, code: "RATE_LIMITED",
		message: "Too many requests. Please try again later.", retryAfter: reset}
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// globalLimit is the per-IP limiter every request passes, the gateway
// upgrade included.
func (s *Server) globalLimit(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	rem, reset, ok := s.takeLocked("ip:"+clientIP(r), s.opts.GlobalLimit)
	s.mu.Unlock()
	if s.opts.GlobalLimit.Limit >= 0 {
		h := w.Header()
		h.Set("X-Ratelimit-Limit", strconv.Itoa(s.opts.GlobalLimit.Limit))
		h.Set("X-Ratelimit-Remaining", strconv.Itoa(rem))
		h.Set("X-Ratelimit-Reset", strconv.Itoa(reset))
	}
	if !ok {
		writeError(w, rateLimited(reset))
	}
	return ok
}
