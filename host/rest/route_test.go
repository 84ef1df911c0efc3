package rest

import (
	"net/http"
	"testing"
	"time"
)

func TestRouteOf(t *testing.T) {
	tests := []struct {
		method, path, key, major string
		exempt                   bool
	}{
		{"POST", "/channels/1/messages", "POST /channels/{major}/messages", "channels:1", false},
		{"PATCH", "/channels/1/messages/99", "PATCH /channels/{major}/messages/{id}", "channels:1", false},
		{"PUT", "/channels/1/messages/99/reactions/%F0%9F%91%8D/@me", "PUT /channels/{major}/messages/{id}/reactions/{emoji}/@me", "channels:1", false},
		{"GET", "/guilds/5/members/7", "GET /guilds/{major}/members/{id}", "guilds:5", false},
		{"POST", "/webhooks/3/tok", "POST /webhooks/{major}/{token}", "webhooks:3/tok", true},
		{"POST", "/interactions/8/tok/callback", "POST /interactions/{major}/{token}/callback", "interactions:8", true},
		{"PUT", "/applications/11/guilds/5/commands", "PUT /applications/{id}/guilds/{id}/commands", "", false},
		{"GET", "/gateway/bot", "GET /gateway/bot", "", false},
	}
	for _, tt := range tests {
		r := routeOf(tt.method, tt.path)
		if r.key != tt.key || r.major != tt.major || r.exempt != tt.exempt {
			t.Errorf("routeOf(%s %s) = %+v, want key %q major %q exempt %v", tt.method, tt.path, r, tt.key, tt.major, tt.exempt)
		}
	}
}

func TestParseRateLimitHeaders(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name string
		h    map[string]string
		want RateLimitHeaders
	}{
		{"full", map[string]string{"X-RateLimit-Bucket": "abcd", "X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "4", "X-RateLimit-Reset-After": "1.5"},
			RateLimitHeaders{Bucket: "abcd", Limit: 5, Remaining: 4, ResetAfter: 1500 * time.Millisecond, RetryAfter: -1}},
		{"epoch reset only", map[string]string{"X-RateLimit-Reset": "1700000002.25"},
			RateLimitHeaders{Limit: -1, Remaining: -1, ResetAfter: 2250 * time.Millisecond, RetryAfter: -1}},
		{"global 429", map[string]string{"X-RateLimit-Global": "true", "X-RateLimit-Scope": "Global", "Retry-After": "3"},
			RateLimitHeaders{Limit: -1, Remaining: -1, ResetAfter: -1, RetryAfter: 3 * time.Second, Global: true, Scope: "global"}},
		{"garbage", map[string]string{"X-RateLimit-Remaining": "-3", "X-RateLimit-Reset-After": "NaN", "Retry-After": "soon"},
			RateLimitHeaders{Limit: -1, Remaining: -1, ResetAfter: -1, RetryAfter: -1}},
		{"huge clamped", map[string]string{"X-RateLimit-Reset-After": "1e300"},
			RateLimitHeaders{Limit: -1, Remaining: -1, ResetAfter: maxWait, RetryAfter: -1}},
	}
	for _, tt := range tests {
		h := http.Header{}
		for k, v := range tt.h {
			h.Set(k, v)
		}
		if got := ParseRateLimitHeaders(h, now); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func FuzzParseRateLimitHeaders(f *testing.F) {
	f.Add("abcd", "5", "0", "1.5", "1700000002.25", "0.3", "true", "shared")
	f.Add("", "", "", "", "", "", "", "")
	f.Add("x", "-1", "99999999999999999999", "-0", "1e309", "NaN", "TRUE", "user")
	f.Fuzz(func(t *testing.T, bucket, limit, remaining, resetAfter, reset, retry, global, scope string) {
		h := http.Header{}
		h.Set("X-RateLimit-Bucket", bucket)
		h.Set("X-RateLimit-Limit", limit)
		h.Set("X-RateLimit-Remaining", remaining)
		h.Set("X-RateLimit-Reset-After", resetAfter)
		h.Set("X-RateLimit-Reset", reset)
		h.Set("Retry-After", retry)
		h.Set("X-RateLimit-Global", global)
		h.Set("X-RateLimit-Scope", scope)
		r := ParseRateLimitHeaders(h, time.Unix(1_700_000_000, 0))
		if r.ResetAfter < -1 || r.ResetAfter > maxWait || r.RetryAfter < -1 || r.RetryAfter > maxWait {
			t.Fatalf("durations out of range: %+v", r)
		}
		if r.Remaining < -1 || r.Limit < -1 || len(r.Bucket) > 128 {
			t.Fatalf("counts out of range: %+v", r)
		}
	})
}

func TestRedactPath(t *testing.T) {
	for in, want := range map[string]string{
		"/webhooks/1/secret":                    "/webhooks/1/{token}",
		"/webhooks/1/secret/messages/@original": "/webhooks/1/{token}/messages/@original",
		"/interactions/5/itok/callback":         "/interactions/5/{token}/callback",
		"/channels/1/messages":                  "/channels/1/messages",
		"/webhooks/1":                           "/webhooks/1",
	} {
		if got := redactPath(in); got != want {
			t.Errorf("redactPath(%s) = %s, want %s", in, got, want)
		}
	}
}
