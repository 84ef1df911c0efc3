package emulator

import (
	"net/http"
	"time"
)

// AllShards selects every connection in the fault-injection methods.
const AllShards = -1

// Fault makes the next Count REST requests that match answer Status.
type Fault struct {
	Method string // "" matches any method
	// Route is a route pattern ("POST /channels/{channel_id}/messages"),
	// an unversioned path ("/channels/123/messages"), or "" for any.
	Route  string
	Count  int // default 1
	Status int // e.g. 429, 500, 502
	// RetryAfter and Global shape a 429 answer.
	RetryAfter time.Duration
	Global     bool
	// Body replaces the default body when set (sent as-is with
	// Content-Type text/html unless it starts with '{').
	Body string
}

// FailNext queues a REST fault; faults are matched in the order queued.
func (s *Server) FailNext(f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

func (s *Server) takeFault(method, route, path string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Method != "" && f.Method != method {
			continue
		}
		if f.Route != "" && f.Route != route && f.Route != path {
			continue
		}
		f.Count--
		if f.Count <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		c := *f
		return &c
	}
	return nil
}

func (s *Server) writeFault(w http.ResponseWriter, f *Fault, route string) {
	if f.Status == http.StatusTooManyRequests && f.Body == "" {
		h := w.Header()
		if route != "" {
			h.Set("X-RateLimit-Limit", "1")
			h.Set("X-RateLimit-Remaining", "0")
			h.Set("X-RateLimit-Reset-After", fmtSeconds(f.RetryAfter))
			h.Set("X-RateLimit-Bucket", bucketHash(route))
		}
		scope := "user"
		if f.Global {
			scope = "global"
		}
		write429(w, f.RetryAfter, f.Global, scope)
		return
	}
	if f.Body != "" {
		if f.Body[0] == '{' {
			w.Header().Set("Content-Type", "application/json")
		} else {
			w.Header().Set("Content-Type", "text/html")
		}
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return
	}
	writeError(w, f.Status, 0, httpMessage(f.Status))
}

func httpMessage(status int) string {
	return itoa(status) + ": " + http.StatusText(status)
}

// selectConns returns the connections of one shard, or all for AllShards.
// Caller holds s.mu.
func (s *Server) selectConnsLocked(shard int) []*conn {
	var out []*conn
	for c := range s.conns {
		if shard == AllShards || c.shard == shard {
			out = append(out, c)
		}
	}
	return out
}

// DropConnections hangs up gateway connections without a close frame, as
// a network failure would; their sessions stay resumable.
func (s *Server) DropConnections(shard int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.selectConnsLocked(shard) {
		c.enqueue(outFrame{drop: true})
	}
}

// SetHeartbeatAcks turns heartbeat ACKs (op 11) on or off, so a client
// sees a zombie connection. AllShards sets every shard (and connections
// not yet identified); a later call for one shard overrides it for that
// shard.
func (s *Server) SetHeartbeatAcks(shard int, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if shard == AllShards {
		clear(s.acksOff)
		s.acksAllOff = !on
		return
	}
	s.acksOff[shard] = !on
}

// acksOffLocked reports whether heartbeats on a connection of this shard
// (-1: not identified yet) go unanswered. Caller holds s.mu.
func (s *Server) acksOffLocked(shard int) bool {
	if off, ok := s.acksOff[shard]; ok {
		return off
	}
	return s.acksAllOff
}

// SendReconnect sends op 7; the client should reconnect and resume.
func (s *Server) SendReconnect(shard int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.selectConnsLocked(shard) {
		c.enqueue(outFrame{data: []byte(`{"t":null,"s":null,"op":7,"d":null}`)})
	}
}

// RequestHeartbeat sends op 1, which Discord uses to ask for a heartbeat
// at once; a client should answer with op 1 without waiting for its timer.
func (s *Server) RequestHeartbeat(shard int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.selectConnsLocked(shard) {
		c.enqueue(outFrame{data: []byte(`{"t":null,"s":null,"op":1,"d":null}`)})
	}
}

// SendInvalidSession sends op 9. With resumable false the session is
// forgotten, so only a fresh Identify works (on this or a new connection).
func (s *Server) SendInvalidSession(shard int, resumable bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.selectConnsLocked(shard) {
		if ss := c.sess; ss != nil {
			ss.conn = nil
			ss.lostAt = time.Now()
			if !resumable {
				delete(s.sessions, ss.id)
			}
			c.sess = nil
		}
		d := "false"
		if resumable {
			d = "true"
		}
		c.enqueue(outFrame{data: []byte(`{"t":null,"s":null,"op":9,"d":` + d + `}`)})
	}
	s.notifyChangedLocked()
}

// CloseConnections closes gateway connections with a close frame carrying
// code and reason. Codes Discord uses to end a session (4007, 4009, 4004,
// 4010-4014, 1000, 1001) also forget the session.
func (s *Server) CloseConnections(shard int, code int, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.selectConnsLocked(shard) {
		c.serverClose = code
		c.enqueue(outFrame{close: true, code: code, reason: reason})
	}
}

// InvalidateSessions makes sessions unresumable without telling the
// client: a live connection keeps working, but once it is lost the next
// Resume gets op 9 false, as after Discord expires a session.
func (s *Server) InvalidateSessions(shard int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, ss := range s.sessions {
		if shard != AllShards && ss.shard[0] != shard {
			continue
		}
		if ss.conn == nil {
			delete(s.sessions, id)
		} else {
			ss.noResume = true
		}
	}
}
