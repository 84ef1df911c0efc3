package emulator

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxBuffered bounds the events a session keeps for resume; a resume from
// further back gets op 9 false, as after a long outage on Discord.
const maxBuffered = 2000

// session is a gateway session: it outlives connections so a client can
// resume it. Server.mu guards every field.
type session struct {
	id       string
	shard    [2]int
	intents  uint64
	seq      int64
	buf      []event // the most recent events, in seq order
	conn     *conn   // nil while disconnected
	lostAt   time.Time
	presence json.RawMessage
	// noResume ends the session when its connection goes (InvalidateSessions).
	noResume bool
}

type event struct {
	seq   int64
	frame []byte
}

// SessionInfo describes a gateway session for tests and the console.
type SessionInfo struct {
	ID        string          `json:"id"`
	Shard     [2]int          `json:"shard"`
	Intents   uint64          `json:"intents"`
	Connected bool            `json:"connected"`
	Seq       int64           `json:"seq"`
	Presence  json.RawMessage `json:"presence,omitempty"`
}

// record assigns the next sequence number to a dispatch, buffers it and
// queues it on the live connection. Caller holds s.mu.
func (ss *session) record(name string, data json.RawMessage) {
	ss.seq++
	frame := dispatchFrame(name, data, ss.seq)
	ss.buf = append(ss.buf, event{ss.seq, frame})
	if len(ss.buf) > maxBuffered {
		ss.buf = ss.buf[len(ss.buf)-maxBuffered:]
	}
	if ss.conn != nil {
		ss.conn.enqueue(outFrame{data: frame})
	}
}

// canReplayFrom reports whether every event after seq is still buffered.
func (ss *session) canReplayFrom(seq int64) bool {
	if seq > ss.seq || seq < 0 {
		return false
	}
	if seq == ss.seq {
		return true
	}
	return len(ss.buf) > 0 && ss.buf[0].seq <= seq+1
}

// Sessions lists the live and resumable gateway sessions, by shard.
func (s *Server) Sessions() []SessionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	var out []SessionInfo
	for _, ss := range s.sessions {
		out = append(out, SessionInfo{ID: ss.id, Shard: ss.shard, Intents: ss.intents, Connected: ss.conn != nil, Seq: ss.seq, Presence: ss.presence})
	}
	// Stable order for the console and tests: by shard, then session id.
	slices.SortFunc(out, func(a, b SessionInfo) int {
		if c := cmp.Compare(a.Shard[0], b.Shard[0]); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// pruneLocked forgets sessions disconnected for longer than ResumeWindow.
func (s *Server) pruneLocked() {
	now := time.Now()
	for id, ss := range s.sessions {
		if ss.conn == nil && now.Sub(ss.lostAt) > s.opts.ResumeWindow {
			delete(s.sessions, id)
		}
	}
}

// dispatchFrame builds {"t":name,"s":seq,"op":0,"d":data}, the envelope in
// the order Discord's gateway writes it (clients may rely on d coming
// last), by appending, byte for byte what json.Marshal of that envelope
// gives: every caller's
// data comes from json.Marshal (compact, HTML-escaped) and event names are
// upper-case ASCII, so re-compacting data — a full pass over it for every
// event — changes nothing. Anything else still goes through json.Marshal.
func dispatchFrame(name string, data json.RawMessage, seq int64) []byte {
	if len(data) == 0 || !plainEventName(name) {
		frame, _ := json.Marshal(struct {
			T  string          `json:"t"`
			S  int64           `json:"s"`
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}{name, seq, 0, data})
		return frame
	}
	return appendDispatchFrame(make([]byte, 0, len(data)+len(name)+40), name, data, seq)
}

// appendDispatchFrame appends the dispatch envelope for a plain event name
// and json.Marshal output (see dispatchFrame) to dst.
func appendDispatchFrame(dst []byte, name string, data json.RawMessage, seq int64) []byte {
	dst = append(dst, `{"t":"`...)
	dst = append(dst, name...)
	dst = append(dst, `","s":`...)
	dst = strconv.AppendInt(dst, seq, 10)
	dst = append(dst, `,"op":0,"d":`...)
	dst = append(dst, data...)
	return append(dst, '}')
}

// plainEventName reports whether name needs no escaping in JSON.
func plainEventName(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; (c < 'A' || c > 'Z') && c != '_' {
			return false
		}
	}
	return name != ""
}
