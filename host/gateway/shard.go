package gateway

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"
)

// shard keeps one gateway session alive. Its session state is owned by the
// goroutine running run; other goroutines only reach the live connection
// (for presence updates) through current.
type shard struct {
	id, count int
	m         *Manager
	base      string
	ident     *identifyLimiter

	// owned by the run goroutine
	sessionID string
	resumeURL string
	seq       int64
	// intents the current session was identified with
	sessionIntents uint64

	reidentify chan string // SetIntents asks for a new session (cap 1)

	// Shards take their first identify slot in id order (Discord wants
	// buckets started in order): each waits for its predecessor's turn.
	after     <-chan struct{}
	started   chan struct{} // closed once this shard has had its first turn
	startOnce sync.Once

	mu  sync.Mutex // guards cur
	cur *conn      // connection with an established session, nil otherwise

	latency atomic.Int64 // last heartbeat round trip in ns
	seqSeen atomic.Int64 // copy of seq for Status
}

func newShard(m *Manager, id, count int, base string, ident *identifyLimiter) *shard {
	return &shard{id: id, count: count, m: m, base: base, ident: ident,
		reidentify: make(chan string, 1), started: make(chan struct{})}
}

func (s *shard) current() *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

func (s *shard) setCurrent(c *conn) {
	s.mu.Lock()
	s.cur = c
	s.mu.Unlock()
}

// send writes an ordinary payload through the send limiter. Without an
// established session there is nothing to send on; the Manager keeps
// presence for the next Identify, so that is not an error.
func (s *shard) send(ctx context.Context, b []byte) error {
	c := s.current()
	if c == nil {
		return nil
	}
	if err := c.lim.wait(ctx); err != nil {
		return err
	}
	return c.write(b)
}

func (s *shard) clearSession() {
	s.sessionID, s.resumeURL, s.seq = "", "", 0
}

func (s *shard) deliver(d Dispatch) {
	if s.m.cfg.Dispatch != nil {
		s.m.cfg.Dispatch(d)
	}
}

// outcome is how one connection ended.
type outcome struct {
	stop    bool // ctx done
	fatal   *FatalError
	err     error         // a Dialect's fatal error, returned by Run as is
	fresh   bool          // identify afresh (session invalid)
	reason  string        // for logs and RECONNECTING
	wait    time.Duration // extra wait before reconnecting (op 9)
	healthy bool          // the session was established and heartbeats were acknowledged
}

func (s *shard) markStarted() { s.startOnce.Do(func() { close(s.started) }) }

// run connects, reconnects and resumes until ctx ends or a fatal close.
func (s *shard) run(ctx context.Context) error {
	defer s.markStarted()
	log := s.m.cfg.Logger.With("shard", s.id)
	attempt := 0
	for {
		o := s.connect(ctx)
		s.setCurrent(nil)
		if o.stop || ctx.Err() != nil {
			return nil
		}
		// fatal errors are the caller's to report (Run returns them)
		if o.err != nil {
			log.Debug("gateway: stopping", "err", o.err)
			return o.err
		}
		if o.fatal != nil {
			o.fatal.Shard = s.id
			log.Debug("gateway: stopping", "code", o.fatal.Code)
			return o.fatal
		}
		if o.fresh || s.m.cfg.FreshSessions {
			s.clearSession()
		}
		if o.healthy {
			attempt = 0
		}
		delay := o.wait + s.backoff(attempt)
		attempt++
		resume := s.sessionID != ""
		data, _ := json.Marshal(map[string]any{"shard": s.id, "reason": o.reason, "resume": resume})
		s.deliver(Dispatch{Name: "RECONNECTING", Data: data, Shard: s.id})
		log.Info("gateway: reconnecting", "reason", o.reason, "resume", resume, "in", delay.Round(time.Millisecond))
		if err := sleep(ctx, delay); err != nil {
			return nil
		}
	}
}

// backoff is the delay before reconnect attempt n: up to BackoffMin/2 right
// after a healthy session, then BackoffMin·2^(n-1) with jitter in [d/2, d],
// capped at BackoffMax.
func (s *shard) backoff(n int) time.Duration {
	cfg := &s.m.cfg
	if n == 0 {
		return time.Duration(cfg.Rand() * float64(cfg.BackoffMin/2))
	}
	d := cfg.BackoffMin
	for i := 1; i < n && d < cfg.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, cfg.BackoffMax)
	return d/2 + time.Duration(cfg.Rand()*float64(d/2))
}
