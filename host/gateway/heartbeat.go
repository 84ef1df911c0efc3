package gateway

import (
	"sync"
	"sync/atomic"
	"time"
)

// heartbeat keeps one connection's heartbeat going on a goroutine of its
// own, so that it never waits behind event delivery: the host's Dispatch
// callback may block while a script catches up (back-pressure), and the
// connection's state machine with it. Heartbeat ACKs are noted by the read
// pump as soon as they are read, never queued behind dispatches.
//
// A missing ACK means a zombie connection only if nothing at all came in
// since the heartbeat was sent and the read pump was free to read it. A
// connection that is still delivering frames is alive, and the ACK is
// likely behind them in the socket (a backlog after a burst); one whose
// read pump was held back by a full frame buffer may have the ACK sitting
// unread. In both cases the heartbeat is sent again and the check waits
// for the next interval.
type heartbeat struct {
	c   *conn
	s   *shard
	now func() time.Time

	acked    atomic.Bool  // the last heartbeat was acknowledged
	acks     atomic.Int64 // ACKs on this connection
	lastBeat atomic.Int64 // cfg.Now() of the last heartbeat, unix nanos; 0 before the first
	reads    atomic.Int64 // frames the read pump read
	stalls   atomic.Int64 // times the read pump waited for room in the frame buffer
	stalled  atomic.Bool  // the read pump is waiting for room now

	fail chan string   // why the heartbeat gave up (cap 1); the state machine ends the connection
	stop chan struct{} // closed when the connection ends
	wg   sync.WaitGroup
}

func newHeartbeat(s *shard, c *conn, now func() time.Time) *heartbeat {
	h := &heartbeat{c: c, s: s, now: now, fail: make(chan string, 1), stop: make(chan struct{})}
	h.acked.Store(true)
	return h
}

// ack records a heartbeat ACK; called by the read pump.
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
	h.lastBeat.Store(h.now().UnixNano())
	h.acked.Store(false)
	return h.c.write(b)
}

// start runs the heartbeat: the first beat after first, then one every
// interval.
func (h *heartbeat) start(first, interval time.Duration) {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		h.run(first, interval)
	}()
}

func (h *heartbeat) run(first, interval time.Duration) {
	t := time.NewTimer(first)
	defer t.Stop()
	reads, stalls := h.reads.Load(), h.stalls.Load()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		if !h.acked.Load() {
			if h.reads.Load() == reads && h.stalls.Load() == stalls && !h.stalled.Load() {
				// the reason goes first: closing ends the read pump, whose
				// error the state machine would otherwise report
				h.give("no heartbeat ACK since the last heartbeat (zombie connection)")
				h.c.close(4000, "zombie connection")
				return
			}
		}
		reads, stalls = h.reads.Load(), h.stalls.Load()
		if err := h.beat(); err != nil {
			h.give("write heartbeat: " + err.Error())
			h.c.ws.Close() // the read pump ends, and with it the state machine
			return
		}
		t.Reset(interval)
	}
}

func (h *heartbeat) give(reason string) {
	select {
	case h.fail <- reason:
	default:
	}
}

// end stops the heartbeat goroutine and waits for it.
func (h *heartbeat) end() {
	close(h.stop)
	h.wg.Wait()
}
