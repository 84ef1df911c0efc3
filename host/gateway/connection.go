package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// connect runs one connection from dial to close: it takes an identify
// slot when a new session is needed, dials the resume URL or the base URL,
// starts the read pump and runs the connection's state machine.
func (s *shard) connect(ctx context.Context) outcome {
	cfg := &s.m.cfg
	resuming := s.sessionID != ""
	target := s.base
	if resuming && s.resumeURL != "" {
		target = s.resumeURL
	}
	cn := &connection{s: s, cfg: cfg, log: s.m.log, resuming: resuming}
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
		cn.identHeld = true
	}
	defer cn.releaseIdent(false)

	cn.token = cfg.Token
	if d := cfg.Dialect; d != nil {
		tok, err := d.Token(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return outcome{stop: true}
			}
			if fatalCause(err) {
				return outcome{err: err}
			}
			return outcome{reason: "token: " + err.Error()}
		}
		cn.token = tok
	}
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
	cn.c = &conn{ws: ws, lim: newSendLimiter(cfg.SendLimit, cfg.SendReserve, cfg.SendWindow, cfg.Now)}
	cn.hb = newHeartbeat(s, cn.c, cfg.Now)
	// Buffered so that under load the reader inflates and decodes the next
	// frames while this goroutine handles one, and neither parks and wakes
	// the other for every event. Frames left in the buffer when the
	// connection ends are dropped like the unread rest of the socket;
	// only handled dispatches advance the sequence a resume starts from.
	frames := make(chan readResult, frameBuffer)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.read(ws, frames, done, cn.hb)
	}()
	defer func() {
		cn.hb.end()
		close(done)
		ws.Close()
		wg.Wait()
	}()
	return cn.loop(ctx, frames)
}

// frameBuffer is how many decoded frames the read pump may hold ahead of
// the connection's state machine.
const frameBuffer = 64

// connection is the state of one connection, owned by the shard goroutine.
type connection struct {
	s        *shard
	c        *conn
	cfg      *Config
	log      *slog.Logger
	resuming bool   // this connection resumes rather than identifies
	token    string // for Identify and Resume; never logged

	identHeld bool // holding the shard's identify slot

	helloT *time.Timer
	hb     *heartbeat
	hello  bool // Hello arrived and the heartbeat runs
	ready  bool // READY or RESUMED arrived
}

func (cn *connection) releaseIdent(sent bool) {
	if cn.identHeld {
		cn.identHeld = false
		cn.s.ident.release(cn.s.id, sent)
	}
}

func (cn *connection) healthy() bool { return cn.ready && cn.hb.acks.Load() > 0 }

func (cn *connection) loop(ctx context.Context, frames <-chan readResult) outcome {
	cfg, c := cn.cfg, cn.c
	cn.helloT = time.NewTimer(cfg.HelloTimeout)
	defer cn.helloT.Stop()
	for {
		select {
		case <-ctx.Done():
			c.close(websocket.CloseNormalClosure, "shutting down")
			return outcome{stop: true}

		case reason := <-cn.s.reidentify:
			if !cn.ready {
				// READY/RESUMED compares the session's intents with the
				// wanted ones, which covers a session being set up now
				continue
			}
			c.close(websocket.CloseNormalClosure, reason)
			return outcome{fresh: true, reason: reason, healthy: true}

		case <-cn.helloT.C:
			c.close(4000, "no hello")
			return outcome{reason: "no Hello within " + cfg.HelloTimeout.String()}

		case reason := <-cn.hb.fail:
			return outcome{reason: reason, healthy: cn.healthy()}

		case r := <-frames:
			if r.err != nil {
				// a heartbeat that gave up closed the socket: its reason
				// is the better one
				select {
				case reason := <-cn.hb.fail:
					return outcome{reason: reason, healthy: cn.healthy()}
				default:
				}
			}
			if o, done := cn.handle(ctx, r); done {
				return o
			}
		}
	}
}

// handle processes one read result; done reports that the connection ended.
func (cn *connection) handle(ctx context.Context, r readResult) (o outcome, done bool) {
	s, c := cn.s, cn.c
	if r.err != nil {
		return s.closed(r.err, cn.healthy()), true
	}
	f := r.f
	switch f.Op {
	case opHello:
		return cn.onHello(ctx, f)

	case opDispatch:
		return cn.onDispatch(f)

	case opHeartbeat:
		if err := cn.hb.beat(); err != nil {
			return outcome{reason: "write heartbeat: " + err.Error(), healthy: cn.healthy()}, true
		}

	// opHeartbeatACK is taken by the read pump (heartbeat.ack)

	case opReconnect:
		c.close(4000, "reconnect requested")
		return outcome{reason: "the server asked for a reconnect (op 7)", healthy: cn.healthy()}, true

	case opInvalidSession:
		var resumable bool
		json.Unmarshal(f.D, &resumable)
		if resumable && s.sessionID != "" {
			c.close(4000, "invalid session, resuming")
			return outcome{reason: "invalid session (resumable)", healthy: cn.healthy()}, true
		}
		if d := cn.cfg.Dialect; d != nil && d.InvalidSessionSameSocket() {
			s.clearSession()
			cn.ready = false
			s.setCurrent(nil)
			cn.log.Info("gateway: invalid session; identifying again on the same connection", "shard", s.id)
			if err := s.sendIdentify(ctx, c, cn.token); err != nil {
				c.close(4000, "send failed")
				return outcome{reason: err.Error()}, true
			}
			return outcome{}, false
		}
		// the session is gone anyway; 1000 says so
		c.close(websocket.CloseNormalClosure, "invalid session")
		lo, hi := cn.cfg.InvalidSessionWait[0], cn.cfg.InvalidSessionWait[1]
		wait := lo + time.Duration(cn.cfg.Rand()*float64(max(hi-lo, 0)))
		return outcome{fresh: true, reason: "invalid session (not resumable)", wait: wait, healthy: cn.healthy()}, true

	default:
		cn.log.Warn("gateway: unknown opcode ignored", "shard", s.id, "op", f.Op)
	}
	return outcome{}, false
}

func (cn *connection) onHello(ctx context.Context, f frame) (outcome, bool) {
	s, c := cn.s, cn.c
	if cn.hello {
		cn.log.Warn("gateway: second Hello ignored", "shard", s.id)
		return outcome{}, false
	}
	var h struct {
		Interval float64 `json:"heartbeat_interval"`
	}
	if json.Unmarshal(f.D, &h) != nil || h.Interval <= 0 {
		c.close(4000, "bad hello")
		return outcome{reason: "Hello without a valid heartbeat_interval"}, true
	}
	interval := time.Duration(h.Interval * float64(time.Millisecond))
	cn.helloT.Stop()
	cn.hello = true
	cn.hb.start(time.Duration(cn.cfg.Rand()*float64(interval)), interval)
	var err error
	if cn.resuming {
		err = s.sendResume(ctx, c, cn.token)
	} else {
		err = s.sendIdentify(ctx, c, cn.token)
		cn.releaseIdent(err == nil)
	}
	if err != nil {
		c.close(4000, "send failed")
		return outcome{reason: err.Error()}, true
	}
	return outcome{}, false
}

func (cn *connection) onDispatch(f frame) (outcome, bool) {
	s, c := cn.s, cn.c
	if f.S != nil {
		if *f.S <= s.seq {
			// a resume replays from the seq we sent; anything at or below
			// it was delivered already
			cn.log.Debug("gateway: duplicate dispatch dropped", "shard", s.id, "seq", *f.S, "t", f.T)
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
		cn.ready = true
		s.setCurrent(c)
		cn.log.Info("gateway: ready", "shard", s.id, "session", r.SessionID != "")
	case "RESUMED":
		cn.ready = true
		s.setCurrent(c)
		cn.log.Info("gateway: resumed", "shard", s.id, "seq", s.seq)
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
	return outcome{}, false
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
	if d := s.m.cfg.Dialect; d != nil {
		if fatal, fresh, handled := d.CloseAction(ce.Code, ce.Text); handled {
			if fatal != nil {
				return outcome{fatal: fatal}
			}
			return outcome{fresh: fresh, reason: reason, healthy: healthy}
		}
	}
	switch classifyClose(ce.Code) {
	case actFatal:
		return outcome{fatal: fatalError(ce.Code, ce.Text, s.m.Intents())}
	case actIdentify:
		return outcome{fresh: true, reason: reason, healthy: healthy}
	}
	return outcome{reason: reason, healthy: healthy}
}
