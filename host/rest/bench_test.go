package rest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// BenchmarkDo measures the client's own cost per request (queueing, rate
// limit bookkeeping, JSON body, header parsing) over real HTTP on 127.0.0.1.
func BenchmarkDo(b *testing.B) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("X-RateLimit-Bucket", "b")
		w.Header().Set("X-RateLimit-Limit", "1000000")
		w.Header().Set("X-RateLimit-Remaining", "999999")
		w.Header().Set("X-RateLimit-Reset-After", "1")
		io.WriteString(w, `{"id":"1","content":"pong"}`)
	}))
	defer s.Close()
	c := newClient(s, func(c *Config) { c.GlobalLimit = -1 })
	ctx := context.Background()
	body := map[string]any{"content": "pong"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if _, err := c.Do(ctx, "POST", "/channels/"+strconv.Itoa(i%16)+"/messages", body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
