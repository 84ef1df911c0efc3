package loop

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
)

// Loop runs jobs on one goroutine. Create it with [New], start the
// goroutine with [Loop.Run] in a goroutine of its own (or [Loop.Start]),
// open the event gate with [Loop.Open], stop with [Loop.Close].
type Loop struct {
	mu        sync.Mutex // guards the event ring, posted, closed, stopped, parked and room
	ring      []event    // submitted events: a ring of at most queueSize, grown on demand, never shrunk
	head, n   int        // oldest event's index in ring, number of queued events
	queueSize int
	lowWater  int           // room is signalled once the queue is down to this many
	posted    []func()      // async results and timer fires, FIFO
	closed    bool          // Close began: Submit refuses
	stopped   bool          // the goroutine is exiting: Post refuses
	parked    bool          // the goroutine waits on wake: only then does Submit signal
	room      chan struct{} // closed when the queue drains to lowWater; nil when nobody waits
	full      *QueueFullError

	wake     chan struct{} // capacity 1: a post or a state change happened
	opened   chan struct{} // closed by Open: events may run
	openOnce sync.Once

	nposted atomic.Int32 // len(posted), read between events without the lock

	pending    atomic.Int64 // reserved slots (Acquire), capped by maxPending
	maxPending int64
	busy       atomic.Int64 // async operations in flight (Busy), waited for by Close

	ctx    context.Context // the script context: cancelled when the loop gives up
	cancel context.CancelFunc

	interrupt atomic.Pointer[func()] // stops a running job when Close gives up
	done      chan struct{}          // closed when Run returns
	running   atomic.Bool
	closeOnce sync.Once
	closeErr  error

	batch   []event                // events taken by the loop goroutine in one lock; owned by it
	deliver func(*engine.Delivery) // runs SubmitDelivery's events; set before Start
}

// event is one queued event: a job, or a delivery for the deliver func
// (which spares the engine a closure per event).
type event struct {
	job func()
	d   *engine.Delivery
}

// maxBatch bounds how many events the loop goroutine takes from the queue
// under one lock.
const maxBatch = 64

// New returns a loop whose event queue holds queueSize events and which
// allows maxPending reserved operations (values < 1 mean 1).
func New(queueSize, maxPending int) *Loop {
	queueSize = max(queueSize, 1)
	maxPending = max(maxPending, 1)
	ctx, cancel := context.WithCancel(context.Background())
	l := &Loop{
		queueSize:  queueSize,
		lowWater:   queueSize - max(queueSize/4, 1),
		wake:       make(chan struct{}, 1),
		opened:     make(chan struct{}),
		maxPending: int64(maxPending),
		ctx:        ctx,
		cancel:     cancel,
		done:       make(chan struct{}),
	}
	l.full = &QueueFullError{l: l}
	return l
}

// Context is the script context. It is cancelled when Close gives up
// waiting (or finished): async bindings and timers must stop then, and
// engines derive per-call contexts from it so that cancelling it interrupts
// running script code.
func (l *Loop) Context() context.Context { return l.ctx }

// SetInterrupt registers fn to stop script code running on the loop
// goroutine; Close calls it (from another goroutine) when its ctx is done
// while a job still runs. JS engines pass vm.Interrupt; Lua engines need
// nothing because their VM context derives from Context.
func (l *Loop) SetInterrupt(fn func()) { l.interrupt.Store(&fn) }

// Start runs the loop goroutine. Jobs posted before Open run; submitted
// events wait until Open.
func (l *Loop) Start() {
	if l.running.Swap(true) {
		return
	}
	go l.run()
}

// Open lets the loop run submitted events (engine.Script.Start).
func (l *Loop) Open() {
	l.openOnce.Do(func() { close(l.opened) })
	l.signal() // the goroutine may be waiting without the event queue
}

// Submit enqueues an event job without blocking. It fails with
// engine.ErrQueueFull when the queue is full (a *[QueueFullError], whose
// Wait lets a caller wait for room) and engine.ErrClosed after Close
// began.
func (l *Loop) Submit(job func()) error { return l.submit(event{job: job}) }

// SetDeliver sets the function that runs the deliveries submitted with
// SubmitDelivery, on the loop goroutine. Call it before Start.
func (l *Loop) SetDeliver(fn func(*engine.Delivery)) { l.deliver = fn }

// SubmitDelivery is Submit for an event delivery, run by the func given to
// SetDeliver: it queues d itself, with no closure to allocate per event.
func (l *Loop) SubmitDelivery(d *engine.Delivery) error { return l.submit(event{d: d}) }

func (l *Loop) submit(ev event) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return engine.ErrClosed
	}
	if l.n >= l.queueSize {
		l.mu.Unlock()
		return l.full
	}
	if l.n == len(l.ring) {
		l.grow()
	}
	l.ring[(l.head+l.n)%len(l.ring)] = ev
	l.n++
	// The goroutine looks at the queue before it parks, so a signal is
	// needed only when it is parked: under load it is running and no
	// wakeup is spent per event.
	wake := l.parked
	l.parked = false
	l.mu.Unlock()
	if wake {
		l.signal()
	}
	return nil
}

// grow doubles the ring (up to queueSize), keeping the FIFO order. Caller
// holds mu.
func (l *Loop) grow() {
	size := min(max(2*len(l.ring), 16), l.queueSize)
	ring := make([]event, size)
	for i := range l.n {
		ring[i] = l.ring[(l.head+i)%len(l.ring)]
	}
	l.ring, l.head = ring, 0
}

// QueueFullError is what Submit returns when the event queue is full. It
// matches engine.ErrQueueFull with errors.Is. Wait blocks until the queue
// has room, which lets a caller hold back further input (back-pressure)
// instead of losing the event.
type QueueFullError struct{ l *Loop }

func (e *QueueFullError) Error() string { return engine.ErrQueueFull.Error() }

// Is reports engine.ErrQueueFull.
func (e *QueueFullError) Is(target error) bool { return target == engine.ErrQueueFull }

// Wait blocks until the queue has room for another event, the loop closes
// (engine.ErrClosed) or ctx is done (ctx.Err()). A waiter is woken when the
// queue has drained to three quarters of its size, not at the first free
// slot, so that a producer held back by a slow script wakes once per batch
// of events rather than once per event.
func (e *QueueFullError) Wait(ctx context.Context) error {
	l := e.l
	for {
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			return engine.ErrClosed
		}
		if l.n < l.queueSize {
			l.mu.Unlock()
			return nil
		}
		if l.room == nil {
			l.room = make(chan struct{})
		}
		room := l.room
		l.mu.Unlock()
		select {
		case <-room:
		case <-l.done:
			return engine.ErrClosed
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Post schedules job on the loop goroutine after the jobs already posted.
// It reports false when the loop has stopped (the job is dropped). Posts
// are accepted while Close drains, so that in-flight operations complete.
func (l *Loop) Post(job func()) bool {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return false
	}
	l.posted = append(l.posted, job)
	l.nposted.Store(int32(len(l.posted)))
	l.parked = false
	l.mu.Unlock()
	l.signal()
	return true
}

func (l *Loop) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Acquire reserves one pending operation or timer. The release func must
// be called exactly once (extra calls are ignored). At the cap it fails
// with an error wrapping bindings.ErrLimit.
func (l *Loop) Acquire() (release func(), err error) {
	if n := l.pending.Add(1); n > l.maxPending {
		l.pending.Add(-1)
		return nil, fmt.Errorf("%d pending operations and timers: %w", l.maxPending, bindings.ErrLimit)
	}
	var once sync.Once
	return func() { once.Do(func() { l.pending.Add(-1) }) }, nil
}

// Pending is the number of reserved slots.
func (l *Loop) Pending() int { return int(l.pending.Load()) }

// Busy marks an async operation in flight; Close waits for it (until its
// ctx is done). The returned func ends it; extra calls are ignored.
func (l *Loop) Busy() (done func()) {
	l.busy.Add(1)
	var once sync.Once
	return func() {
		once.Do(func() {
			l.busy.Add(-1)
			l.signal()
		})
	}
}

// Done is closed when the loop goroutine has exited.
func (l *Loop) Done() <-chan struct{} { return l.done }

// takePosted returns the posted jobs and hands the slice returned by the
// previous call back for reuse: the caller is done with it by then.
func (l *Loop) takePosted(prev []func()) []func() {
	clear(prev)
	prev = prev[:0]
	if l.nposted.Load() == 0 {
		return prev
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.posted
	l.posted = prev
	l.nposted.Store(0)
	return p
}

// runPosted takes the jobs posted so far and runs them in order until the
// script context ends. buf is the slice it returned last time, reused.
func (l *Loop) runPosted(buf []func()) []func() {
	buf = l.takePosted(buf)
	for _, job := range buf {
		if l.ctx.Err() != nil {
			break
		}
		l.runJob(job)
	}
	return buf
}

func (l *Loop) isOpen() bool {
	select {
	case <-l.opened:
		return true
	default:
		return false
	}
}

// takeEvents moves up to maxBatch of the oldest events into l.batch, if
// the loop is open, and wakes a producer waiting for room once the queue
// is down to its low-water mark.
func (l *Loop) takeEvents() []event {
	if !l.isOpen() {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.batch[:0]
	for l.n > 0 && len(b) < maxBatch {
		b = append(b, l.ring[l.head])
		l.ring[l.head] = event{}
		l.head = (l.head + 1) % len(l.ring)
		l.n--
	}
	if l.n == 0 {
		l.head = 0
	}
	if l.room != nil && l.n <= l.lowWater {
		close(l.room)
		l.room = nil
	}
	l.batch = b
	return b
}

func (l *Loop) run() {
	defer close(l.done)
	var posted []func()
	for {
		posted = l.runPosted(posted)
		if l.ctx.Err() != nil {
			l.stop()
			return
		}
		// Events are taken in batches, one lock for many, and run one at
		// a time; posts are re-checked between them so that async results
		// are not starved by a long event queue.
		if batch := l.takeEvents(); len(batch) > 0 {
			for i, ev := range batch {
				batch[i] = event{}
				posted = l.runPosted(posted)
				if l.ctx.Err() != nil {
					// giving up: the rest of the batch is dropped with the queue
					clear(batch)
					break
				}
				l.runEvent(ev)
			}
			continue
		}
		l.mu.Lock()
		if (l.n > 0 && l.isOpen()) || len(l.posted) > 0 {
			// arrived since takeEvents: Submit saw parked false and did not signal
			l.mu.Unlock()
			continue
		}
		drained := l.closed && l.busy.Load() == 0
		if !drained {
			l.parked = true
		}
		l.mu.Unlock()
		if drained {
			l.stop()
			return
		}
		select {
		case <-l.wake:
		case <-l.ctx.Done():
		}
		l.mu.Lock()
		l.parked = false
		l.mu.Unlock()
	}
}

// runEvent runs one queued event.
func (l *Loop) runEvent(ev event) {
	if ev.job != nil {
		l.runJob(ev.job)
		return
	}
	defer func() {
		if r := recover(); r != nil {
			slog.Error("script loop: delivery panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	l.deliver(ev.d)
}

// runJob runs one job. A panic escaping it is a bug in an engine or a
// binding; it is logged and the loop goes on, so that one script's bug
// never takes the host down.
func (l *Loop) runJob(job func()) {
	defer func() {
		if r := recover(); r != nil {
			slog.Error("script loop: job panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	job()
}

// stop refuses further posts and cancels the script context.
func (l *Loop) stop() {
	l.mu.Lock()
	l.stopped = true
	l.posted = nil
	l.nposted.Store(0)
	l.mu.Unlock()
	l.cancel()
}

// ErrGaveUp is returned by Close when ctx ended before queued and in-flight
// work finished; the remaining work was interrupted and dropped.
var ErrGaveUp = errors.New("loop: gave up waiting for handlers to finish")

// Close stops accepting events, lets queued events, posted jobs and
// in-flight operations finish until ctx is done, then cancels the script
// context, interrupts running script code and waits for the goroutine.
// Events still queued run only if the loop was opened. Safe to call twice;
// later calls return the first result.
func (l *Loop) Close(ctx context.Context) error {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		l.closed = true
		if l.room != nil {
			close(l.room) // waiters see closed
			l.room = nil
		}
		l.mu.Unlock()
		if !l.running.Swap(true) {
			// Never started: nothing runs, nothing to wait for.
			l.stop()
			close(l.done)
			return
		}
		select {
		case <-l.opened:
		default:
			// Never opened: queued events are dropped, in-flight work is not
			// waited for.
			l.cancel()
		}
		l.signal()
		select {
		case <-l.done:
		case <-ctx.Done():
			l.closeErr = fmt.Errorf("%w: %w", ErrGaveUp, ctx.Err())
			l.cancel()
			if fn := l.interrupt.Load(); fn != nil {
				(*fn)()
			}
			<-l.done
		}
	})
	return l.closeErr
}
