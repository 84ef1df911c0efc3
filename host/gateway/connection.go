package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// connect runs one connection from dial to close: it takes an identify
// slot when a new session is needed, dials the resume URL or the base URL,
// starts the watch goroutine (heartbeat, shutdown) and reads and handles
// frames on this one.
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
	cn.ended = make(chan outcome, 1)
	// This goroutine reads the socket and runs the state machine for each
	// frame, the host's Dispatch included; a second one (watch) keeps the
	// heartbeat and ends the connection on shutdown, a re-identify request
	// or a missing Hello. Reading and handling on one goroutine spares a
	// hand-off, and its wakeups, per event; and when Dispatch waits for a
	// script to catch up, reading simply pauses.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		cn.watch(ctx)
	}()
	defer func() {
		cn.hb.end()
		wg.Wait()
		ws.Close()
	}()
	return cn.read(ctx)
}

// connection is the state of one connection, owned by the shard goroutine.
type connection struct {
	s        *shard
	c        *conn
	cfg      *Config
	log      *slog.Logger
	resuming bool   // this connection resumes rather than identifies
	token    string // for Identify and Resume; never logged

	identHeld bool // holding the shard's identify slot

	hb    *heartbeat
	hello bool        // Hello arrived and the heartbeat runs; owned by the reading goroutine
	ready atomic.Bool // READY or RESUMED arrived

	// The watch goroutine ends the connection by putting the outcome in
	// ended, then closing the socket, which ends the read.
	ending atomic.Bool
	ended  chan outcome // capacity 1
}

func (cn *connection) releaseIdent(sent bool) {
	if cn.identHeld {
		cn.identHeld = false
		cn.s.ident.release(cn.s.id, sent)
	}
}

func (cn *connection) healthy() bool { return cn.ready.Load() && cn.hb.acks.Load() > 0 }

// end is how the watch goroutine ends the connection: o is what connect
// returns. code > 0 sends a close frame first.
func (cn *connection) end(o outcome, code int, text string) {
	cn.ending.Store(true)
	cn.ended <- o
	if code > 0 {
		cn.c.close(code, text)
	} else {
		cn.c.ws.Close()
	}
}

// watch ends the connection on shutdown, on a re-identify request (once
// the session is up), when no Hello arrives in time and when the heartbeat
// gives up, whatever the reading goroutine is doing, and beats in between.
func (cn *connection) watch(ctx context.Context) {
	cfg, hb := cn.cfg, cn.hb
	helloT := time.NewTimer(cfg.HelloTimeout)
	defer helloT.Stop()
	var beatT *time.Timer
	var beatC <-chan time.Time
	var interval time.Duration
	defer func() {
		if beatT != nil {
			beatT.Stop()
		}
	}()
	for {
		select {
		case <-hb.stop:
			return

		case <-ctx.Done():
			cn.end(outcome{stop: true}, websocket.CloseNormalClosure, "shutting down")
			return

		case reason := <-cn.s.reidentify:
			if !cn.ready.Load() {
				// READY/RESUMED compares the session's intents with the
				// wanted ones, which covers a session being set up now
				continue
			}
			cn.end(outcome{fresh: true, reason: reason, healthy: true}, websocket.CloseNormalClosure, reason)
			return

		case <-helloT.C:
			if hb.helloSeen.Load() {
				continue
			}
			cn.end(outcome{reason: "no Hello within " + cfg.HelloTimeout.String()}, 4000, "no hello")
			return

		case b := <-hb.begin:
			helloT.Stop()
			interval = b.interval
			beatT = time.NewTimer(b.first)
			beatC = beatT.C

		case <-beatC:
			if reason := hb.tick(); reason != "" {
				cn.end(outcome{reason: reason, healthy: cn.healthy()}, 4000, "zombie connection")
				return
			}
			if err := hb.beat(); err != nil {
				cn.end(outcome{reason: "write heartbeat: " + err.Error(), healthy: cn.healthy()}, 0, "")
				return
			}
			beatT.Reset(interval)
		}
	}
}

// read reads frames and handles them until the connection ends. Frames
// are handled in the order they arrive; only handled dispatches advance
// the sequence a resume starts from.
func (cn *connection) read(ctx context.Context) outcome {
	s, hb := cn.s, cn.hb
	var z *zlibStream
	if !cn.cfg.DisableCompression {
		z = newZlibStream(cn.cfg.MaxMessageSize)
		z.lend = cn.cfg.TransientData
	}
	max := cn.cfg.MaxMessageSize
	// Messages are read here. Binary frames stay here, since the inflater
	// copies them; text frames are copied out unless Config.TransientData.
	var scratch []byte
	for {
		if cn.ending.Load() {
			return <-cn.ended
		}
		typ, data, err := readMessage(cn.c.ws, max, &scratch, cn.cfg.TransientData)
		if err == nil && typ == websocket.BinaryMessage {
			if z == nil {
				cn.log.Warn("gateway: unexpected binary frame without compression; ignored", "shard", s.id, "bytes", len(data))
				continue
			}
			data, err = z.feed(data)
			if err == nil && data == nil {
				continue
			}
		}
		if errors.Is(err, errSkipped) {
			cn.log.Warn("gateway: message over the size limit skipped", "shard", s.id, "limit", max)
			continue
		}
		if err != nil {
			if cn.ending.Load() {
				// the watch goroutine closed the socket: its reason is the
				// one that counts
				return <-cn.ended
			}
			return s.closed(err, cn.healthy())
		}
		f, err := decodeFrame(data)
		if err != nil {
			cn.log.Warn("gateway: malformed frame ignored", "shard", s.id, "err", err, "bytes", len(data))
			continue
		}
		hb.reads.Add(1)
		if f.Op == opHeartbeatACK {
			hb.ack()
			hb.handled.Add(1)
			continue
		}
		o, done := cn.handle(ctx, f)
		hb.handled.Add(1)
		if done {
			return o
		}
	}
}

// handle processes one frame; done reports that the connection ended.
func (cn *connection) handle(ctx context.Context, f frame) (o outcome, done bool) {
	s, c := cn.s, cn.c
	switch f.Op {
	case opHello:
		return cn.onHello(ctx, f)

	case opDispatch:
		return cn.onDispatch(f)

	case opHeartbeat:
		if err := cn.hb.beat(); err != nil {
			return outcome{reason: "write heartbeat: " + err.Error(), healthy: cn.healthy()}, true
		}

	// opHeartbeatACK is taken by read (heartbeat.ack)

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
			cn.ready.Store(false)
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
		cn.ready.Store(true)
		s.setCurrent(c)
		cn.log.Info("gateway: ready", "shard", s.id, "session", r.SessionID != "")
	case "RESUMED":
		cn.ready.Store(true)
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
