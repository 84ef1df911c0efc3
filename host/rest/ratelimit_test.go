package rest

import (
	"strconv"
	"testing"
	"time"
)

func TestRouteBucketMapStaysBounded(t *testing.T) {
	l := newLimiter(time.Now, 0, 0)
	h := RateLimitHeaders{Bucket: "b", Limit: -1, Remaining: -1, ResetAfter: -1, RetryAfter: -1}
	for i := range 3 * maxRouteBuckets {
		l.update(routeOf("GET", "/users/@me/x"+strconv.Itoa(i)), h)
	}
	if n := len(l.routeBucket); n > maxRouteBuckets {
		t.Fatalf("routeBucket holds %d routes, want at most %d", n, maxRouteBuckets)
	}
	r := routeOf("GET", "/users/@me/latest")
	l.update(r, h)
	if l.routeBucket[r.key] != "b" {
		t.Fatalf("the newest route's bucket was not kept")
	}
}
