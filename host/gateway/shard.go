package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
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
	after   <-chan struct{}
	started chan struct{} // closed once this shard has had its first turn
	startMu sync.Once

	mu  sync.Mutex // guards cur
	cur *conn      // connection with an established session, nil otherwise

	latency atomic.Int64 // last heartbeat round trip in ns
	seqSeen atomic.Int64 // copy of seq for Status
}

func newShard(m *Manager, id, count int, base string, ident *identifyLimiter) *shard {
	return &shard{id: id, count: count, m: m, base: base, ident: ident,
		reidentify: make(chan string, 1), started: make(chan struct{})}
}

// conn is one WebSocket connection.
type conn struct {
	ws      *websocket.Conn
	lim     *sendLimiter
	writeMu sync.Mutex // gorilla/websocket allows one concurrent writer
}

func (c *conn) write(b []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// close sends a close frame with code and drops the connection. 1000 and
// 1001 end the session at Discord; any other code keeps it resumable.
func (c *conn) close(code int, reason string) {
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.ws.Close()
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
	fresh   bool          // identify afresh (session invalid)
	reason  string        // for logs and RECONNECTING
	wait    time.Duration // extra wait before reconnecting (op 9)
	healthy bool          // the session was established and heartbeats were acknowledged
}

func (s *shard) markStarted() { s.startMu.Do(func() { close(s.started) }) }

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
		if o.fatal != nil {
			o.fatal.Shard = s.id
			log.Error("gateway: fatal close", "code", o.fatal.Code, "err", o.fatal.Error())
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

type readResult struct {
	f   frame
	err error
}

// read pumps frames from the socket until it fails or done closes.
func (s *shard) read(ws *websocket.Conn, out chan<- readResult, done <-chan struct{}) {
	var z *zlibStream
	if !s.m.cfg.DisableCompression {
		z = newZlibStream(s.m.cfg.MaxMessageSize)
	}
	for {
		typ, data, err := ws.ReadMessage()
		if err == nil && typ == websocket.BinaryMessage {
			if z == nil {
				s.m.log.Warn("gateway: unexpected binary frame without compression; ignored", "shard", s.id, "bytes", len(data))
				continue
			}
			data, err = z.feed(data)
			if err == nil && data == nil {
				continue
			}
		}
		if err != nil {
			select {
			case out <- readResult{err: err}:
			case <-done:
			}
			return
		}
		f, err := decodeFrame(data)
		if err != nil {
			s.m.log.Warn("gateway: malformed frame ignored", "shard", s.id, "err", err, "bytes", len(data))
			continue
		}
		select {
		case out <- readResult{f: f}:
		case <-done:
			return
		}
	}
}

// connect runs one connection from dial to close.
func (s *shard) connect(ctx context.Context) outcome {
	cfg := &s.m.cfg
	log := s.m.log
	resuming := s.sessionID != ""
	target := s.base
	if resuming && s.resumeURL != "" {
		target = s.resumeURL
	}
	identHeld := false
	if !resuming {
		if s.after != nil {
			select {
			case <-s.after:
			case <-ctx.Done():
				return outcome{stop: true}
			}
		}
		err := s.ident.acquire(ctx, s.id)
		s.markStarted()
		if err != nil {
			return outcome{stop: true}
		}
		identHeld = true
	}
	releaseIdent := func(sent bool) {
		if identHeld {
			identHeld = false
			s.ident.release(s.id, sent)
		}
	}
	defer releaseIdent(false)

	u, err := s.m.dialURL(target)
	if err != nil {
		return outcome{reason: err.Error()}
	}
	dctx, cancel := context.WithTimeout(ctx, cfg.HelloTimeout)
	ws, resp, err := cfg.Dialer.DialContext(dctx, u, nil)
	cancel()
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		if ctx.Err() != nil {
			return outcome{stop: true}
		}
		// a resume URL that cannot be reached is likely stale: fall back
		// to the base URL, still resuming
		s.resumeURL = ""
		return outcome{reason: "dial: " + err.Error()}
	}
	ws.SetReadLimit(int64(cfg.MaxMessageSize))
	c := &conn{ws: ws, lim: newSendLimiter(cfg.SendLimit, cfg.SendReserve, cfg.SendWindow, cfg.Now)}
	frames := make(chan readResult)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.read(ws, frames, done)
	}()
	defer func() {
		close(done)
		ws.Close()
		wg.Wait()
	}()

	helloT := time.NewTimer(cfg.HelloTimeout)
	defer helloT.Stop()
	var hb *time.Timer
	var hbC <-chan time.Time
	defer func() {
		if hb != nil {
			hb.Stop()
		}
	}()
	var interval time.Duration
	acked := true
	acks := 0
	ready := false
	var lastBeat time.Time

	beat := func() error {
		var d any
		if s.seq > 0 {
			d = s.seq
		}
		b, _ := encodeFrame(opHeartbeat, d)
		c.lim.heartbeat()
		lastBeat = cfg.Now()
		acked = false
		return c.write(b)
	}
	healthy := func() bool { return ready && acks > 0 }

	// handle processes one read result; done reports that the connection ended.
	handle := func(r readResult) (o outcome, done bool) {
		if r.err != nil {
			return s.closed(r.err, healthy()), true
		}
		f := r.f
		switch f.Op {
		case opHello:
			if hbC != nil {
				log.Warn("gateway: second Hello ignored", "shard", s.id)
				return outcome{}, false
			}
			var h struct {
				Interval float64 `json:"heartbeat_interval"`
			}
			if json.Unmarshal(f.D, &h) != nil || h.Interval <= 0 {
				c.close(4000, "bad hello")
				return outcome{reason: "Hello without a valid heartbeat_interval"}, true
			}
			interval = time.Duration(h.Interval * float64(time.Millisecond))
			helloT.Stop()
			acked = true // never carry ACK state over from a previous connection
			hb = time.NewTimer(time.Duration(cfg.Rand() * float64(interval)))
			hbC = hb.C
			var err error
			if resuming {
				err = s.sendResume(c)
			} else {
				err = s.sendIdentify(c)
				releaseIdent(err == nil)
			}
			if err != nil {
				c.close(4000, "send failed")
				return outcome{reason: err.Error()}, true
			}

		case opDispatch:
			if f.S != nil {
				if *f.S <= s.seq {
					log.Debug("gateway: duplicate dispatch dropped", "shard", s.id, "seq", *f.S, "t", f.T)
					return outcome{}, false
				}
				s.seq = *f.S
				s.seqSeen.Store(s.seq)
			}
			switch f.T {
			case "READY":
				var r struct {
					SessionID string `json:"session_id"`
					ResumeURL string `json:"resume_gateway_url"`
				}
				json.Unmarshal(f.D, &r)
				s.sessionID, s.resumeURL = r.SessionID, r.ResumeURL
				ready = true
				s.setCurrent(c)
				log.Info("gateway: ready", "shard", s.id, "session", r.SessionID != "")
			case "RESUMED":
				ready = true
				s.setCurrent(c)
				log.Info("gateway: resumed", "shard", s.id, "seq", s.seq)
			}
			seq := int64(0)
			if f.S != nil {
				seq = *f.S
			}
			s.deliver(Dispatch{Name: f.T, Data: f.D, Shard: s.id, Seq: seq})
			if (f.T == "READY" || f.T == "RESUMED") && s.m.Intents()&^s.sessionIntents != 0 {
				c.close(websocket.CloseNormalClosure, "intents changed")
				return outcome{fresh: true, reason: "intents changed", healthy: true}, true
			}

		case opHeartbeat:
			if err := beat(); err != nil {
				return outcome{reason: "write heartbeat: " + err.Error(), healthy: healthy()}, true
			}

		case opHeartbeatACK:
			acked = true
			acks++
			if !lastBeat.IsZero() {
				s.latency.Store(int64(cfg.Now().Sub(lastBeat)))
			}

		case opReconnect:
			c.close(4000, "reconnect requested")
			return outcome{reason: "the server asked for a reconnect (op 7)", healthy: healthy()}, true

		case opInvalidSession:
			var resumable bool
			json.Unmarshal(f.D, &resumable)
			if resumable && s.sessionID != "" {
				c.close(4000, "invalid session, resuming")
				return outcome{reason: "invalid session (resumable)", healthy: healthy()}, true
			}
			c.close(websocket.CloseNormalClosure, "invalid session")
			lo, hi := cfg.InvalidSessionWait[0], cfg.InvalidSessionWait[1]
			wait := lo + time.Duration(cfg.Rand()*float64(max(hi-lo, 0)))
			return outcome{fresh: true, reason: "invalid session (not resumable)", wait: wait, healthy: healthy()}, true

		default:
			log.Warn("gateway: unknown opcode ignored", "shard", s.id, "op", f.Op)
		}
		return outcome{}, false
	}

	for {
		select {
		case <-ctx.Done():
			c.close(websocket.CloseNormalClosure, "shutting down")
			return outcome{stop: true}

		case reason := <-s.reidentify:
			if !ready {
				// READY/RESUMED compares the session's intents with the
				// wanted ones, which covers a session being set up now
				continue
			}
			c.close(websocket.CloseNormalClosure, reason)
			return outcome{fresh: true, reason: reason, healthy: true}

		case <-helloT.C:
			c.close(4000, "no hello")
			return outcome{reason: "no Hello within " + cfg.HelloTimeout.String()}

		case <-hbC:
			// an ACK may already be waiting in frames: select picks among
			// ready cases at random, so take what has arrived first
			for drained := false; !acked && !drained; {
				select {
				case r := <-frames:
					if o, done := handle(r); done {
						return o
					}
				default:
					drained = true
				}
			}
			if !acked {
				c.close(4000, "zombie connection")
				return outcome{reason: "no heartbeat ACK since the last heartbeat (zombie connection)", healthy: healthy()}
			}
			if err := beat(); err != nil {
				return outcome{reason: "write heartbeat: " + err.Error(), healthy: healthy()}
			}
			hb.Reset(interval)

		case r := <-frames:
			if o, done := handle(r); done {
				return o
			}
		}
	}
}

// closed turns a read error into an outcome by close code.
func (s *shard) closed(err error, healthy bool) outcome {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		return outcome{reason: "connection lost: " + err.Error(), healthy: healthy}
	}
	reason := "closed with " + strconv.Itoa(ce.Code)
	if ce.Text != "" {
		reason += " (" + ce.Text + ")"
	}
	switch classifyClose(ce.Code) {
	case actFatal:
		return outcome{fatal: fatalError(ce.Code, ce.Text, s.m.Intents())}
	case actIdentify:
		return outcome{fresh: true, reason: reason, healthy: healthy}
	}
	return outcome{reason: reason, healthy: healthy}
}

func (s *shard) sendIdentify(c *conn) error {
	// a re-identify request queued before this Identify is satisfied by it
	select {
	case <-s.reidentify:
	default:
	}
	s.clearSession()
	s.seqSeen.Store(0)
	cfg := &s.m.cfg
	s.m.mu.Lock()
	intents, presence := s.m.intents, s.m.presence
	s.m.mu.Unlock()
	d := map[string]any{
		"token":           cfg.Token,
		"properties":      cfg.Properties,
		"intents":         intents,
		"shard":           [2]int{s.id, s.count},
		"large_threshold": cfg.LargeThreshold,
		"compress":        false,
	}
	if presence != nil {
		d["presence"] = presence
	}
	s.sessionIntents = intents
	b, err := encodeFrame(opIdentify, d)
	if errors.Is(err, ErrPayloadTooLarge) && presence != nil {
		s.m.log.Warn("gateway: presence too large for Identify; identifying without it", "shard", s.id)
		delete(d, "presence")
		b, err = encodeFrame(opIdentify, d)
	}
	if err != nil {
		return fmt.Errorf("identify: %w", err)
	}
	c.lim.wait(context.Background())
	s.m.log.Info("gateway: identifying", "shard", s.id, "shard_count", s.count, "intents", intents)
	if err := c.write(b); err != nil {
		return fmt.Errorf("identify: %w", err)
	}
	return nil
}

func (s *shard) sendResume(c *conn) error {
	b, err := encodeFrame(opResume, map[string]any{"token": s.m.cfg.Token, "session_id": s.sessionID, "seq": s.seq})
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	c.lim.wait(context.Background())
	s.m.log.Info("gateway: resuming", "shard", s.id, "seq", s.seq)
	if err := c.write(b); err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	return nil
}
