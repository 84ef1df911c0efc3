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
	mu        sync.Mutex // guards events, posted, closed, stopped
	events    []func()   // submitted events, FIFO, at most queueSize; run only once opened
	queueSize int
	posted    []func() // async results and timer fires, FIFO
	closed    bool     // Close began: Submit refuses
	stopped   bool     // the goroutine is exiting: Post refuses

	wake     chan struct{} // capacity 1: a post or a state change happened
	opened   chan struct{} // closed by Open: events may run
	openOnce sync.Once

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
}

// New returns a loop whose event queue holds queueSize events and which
// allows maxPending reserved operations (values < 1 mean 1).
func New(queueSize, maxPending int) *Loop {
	queueSize = max(queueSize, 1)
	maxPending = max(maxPending, 1)
	ctx, cancel := context.WithCancel(context.Background())
	return &Loop{
		queueSize:  queueSize,
		wake:       make(chan struct{}, 1),
		opened:     make(chan struct{}),
		maxPending: int64(maxPending),
		ctx:        ctx,
		cancel:     cancel,
		done:       make(chan struct{}),
	}
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
// engine.ErrQueueFull when the queue is full and engine.ErrClosed after
// Close began.
func (l *Loop) Submit(job func()) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return engine.ErrClosed
	}
	if len(l.events) >= l.queueSize {
		return engine.ErrQueueFull
	}
	l.events = append(l.events, job)
	l.signalLocked()
	return nil
}

// signalLocked is signal for callers holding mu (signal never blocks).
func (l *Loop) signalLocked() { l.signal() }

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

func (l *Loop) takePosted() []func() {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.posted
	l.posted = nil
	return p
}

func (l *Loop) isOpen() bool {
	select {
	case <-l.opened:
		return true
	default:
		return false
	}
}

// nextEvent pops the oldest event, if the loop is open and one is queued.
func (l *Loop) nextEvent() func() {
	if !l.isOpen() {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.events) == 0 {
		return nil
	}
	job := l.events[0]
	l.events[0] = nil
	l.events = l.events[1:]
	if len(l.events) == 0 {
		l.events = nil // let the backing array go once drained
	}
	return job
}

func (l *Loop) run() {
	defer close(l.done)
	for {
		for _, job := range l.takePosted() {
			if l.ctx.Err() != nil {
				break
			}
			l.runJob(job)
		}
		if l.ctx.Err() != nil {
			l.stop()
			return
		}
		// Events run one at a time, re-checking posts between them so that
		// async results are not starved by a long event queue.
		if job := l.nextEvent(); job != nil {
			l.runJob(job)
			continue
		}
		l.mu.Lock()
		drained := l.closed && len(l.posted) == 0 && (len(l.events) == 0 || !l.isOpen()) && l.busy.Load() == 0
		l.mu.Unlock()
		if drained {
			l.stop()
			return
		}
		select {
		case <-l.wake:
		case <-l.ctx.Done():
		}
	}
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
