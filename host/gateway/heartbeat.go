package gateway

import (
	"sync/atomic"
	"time"
)

// heartbeat is one connection's heartbeat state. The beats are sent by the
// connection's watch goroutine, so that they never wait behind event
// delivery: the host's Dispatch callback may block while a script catches
// up (back-pressure), and reading the socket with it. Heartbeat ACKs are
// noted as soon as they are read.
//
// A missing ACK means a zombie connection only if nothing at all came in
// since the heartbeat was sent and the reading goroutine was free to read
// it. A connection that is still delivering frames is alive, and the ACK
// is likely behind them in the socket (a backlog after a burst); one whose
// reader is held in Dispatch may have the ACK sitting unread. In both cases
// the heartbeat is sent again and the check waits for the next interval.
type heartbeat struct {
	c   *conn
	s   *shard
	now func() time.Time

	acked    atomic.Bool  // the last heartbeat was acknowledged
	acks     atomic.Int64 // ACKs on this connection
	lastBeat atomic.Int64 // cfg.Now() of the last heartbeat, unix nanos; 0 before the first
	reads    atomic.Int64 // frames read
	handled  atomic.Int64 // frames handled: reads-handled is 1 while one is being handled

	helloSeen atomic.Bool // Hello arrived: the hello timeout no longer applies
	begin     chan beginBeats
	readsAt   atomic.Int64 // reads when the last beat was sent

	stop chan struct{} // closed when the connection ends
}

type beginBeats struct{ first, interval time.Duration }

func newHeartbeat(s *shard, c *conn, now func() time.Time) *heartbeat {
	h := &heartbeat{c: c, s: s, now: now, begin: make(chan beginBeats, 1), stop: make(chan struct{})}
	h.acked.Store(true)
	return h
}

// ack records a heartbeat ACK; called by the reading goroutine.
func (h *heartbeat) ack() {
	h.acked.Store(true)
	h.acks.Add(1)
	if last := h.lastBeat.Load(); last != 0 {
		h.s.latency.Store(h.now().UnixNano() - last)
	}
}

// beat sends one heartbeat carrying the last handled sequence number.
// Safe from any goroutine: conn.write serialises writers.
func (h *heartbeat) beat() error {
	var d any
	if seq := h.s.seqSeen.Load(); seq > 0 {
		d = seq
	}
	b, _ := encodeFrame(opHeartbeat, d)
	h.c.lim.heartbeat()
	h.readsAt.Store(h.reads.Load())
	h.lastBeat.Store(h.now().UnixNano())
	h.acked.Store(false)
	return h.c.write(b)
}

// tick is the check before a scheduled beat: the reason the connection is
// a zombie, or "".
func (h *heartbeat) tick() string {
	if h.acked.Load() {
		return ""
	}
	reads := h.reads.Load()
	if reads != h.readsAt.Load() || h.handled.Load() != reads {
		return "" // frames came in, or one is still being handled
	}
	return "no heartbeat ACK since the last heartbeat (zombie connection)"
}

// start makes the watch goroutine beat: the first beat after first, then
// one every interval. Called once, at Hello.
func (h *heartbeat) start(first, interval time.Duration) {
	h.helloSeen.Store(true)
	h.begin <- beginBeats{first, interval}
}

// end stops the watch goroutine.
func (h *heartbeat) end() { close(h.stop) }
