package loop_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/loop"
)

const waitLimit = 5 * time.Second

func wait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(waitLimit):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func closeNow(t *testing.T, l *loop.Loop) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := l.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestEventsRunInOrderAfterOpen(t *testing.T) {
	l := loop.New(10, 10)
	l.Start()
	var got []int
	done := make(chan struct{})
	for i := range 5 {
		if err := l.Submit(func() {
			got = append(got, i)
			if i == 4 {
				close(done)
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
	// Posted jobs run before Open; events wait.
	posted := make(chan struct{})
	l.Post(func() {
		if len(got) != 0 {
			t.Errorf("event ran before Open: %v", got)
		}
		close(posted)
	})
	wait(t, posted, "post before open")
	l.Open()
	wait(t, done, "events")
	for i, v := range got {
		if v != i {
			t.Fatalf("order %v", got)
		}
	}
	closeNow(t, l)
}

func TestSubmitQueueFullAndClosed(t *testing.T) {
	l := loop.New(2, 1)
	for range 2 {
		if err := l.Submit(func() {}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Submit(func() {}); !errors.Is(err, engine.ErrQueueFull) {
		t.Fatalf("want ErrQueueFull, got %v", err)
	}
	closeNow(t, l)
	if err := l.Submit(func() {}); !errors.Is(err, engine.ErrClosed) {
		t.Fatalf("want ErrClosed, got %v", err)
	}
	if l.Post(func() {}) {
		t.Fatal("Post after Close accepted")
	}
}

func TestAcquireCap(t *testing.T) {
	l := loop.New(1, 2)
	r1, err := l.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	r2, err := l.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Acquire(); !errors.Is(err, bindings.ErrLimit) {
		t.Fatalf("want ErrLimit, got %v", err)
	}
	r1()
	r1() // extra releases are ignored
	if l.Pending() != 1 {
		t.Fatalf("pending = %d, want 1", l.Pending())
	}
	if _, err := l.Acquire(); err != nil {
		t.Fatalf("after release: %v", err)
	}
	r2()
	closeNow(t, l)
}

func TestCloseDrainsQueuedAndInFlight(t *testing.T) {
	l := loop.New(10, 10)
	l.Start()
	l.Open()
	var ran atomic.Int32
	release := make(chan struct{})
	if err := l.Submit(func() {
		ran.Add(1)
		done := l.Busy()
		go func() {
			<-release
			l.Post(func() { ran.Add(1); done() })
		}()
	}); err != nil {
		t.Fatal(err)
	}
	l.Submit(func() { ran.Add(1) })
	closed := make(chan error, 1)
	go func() { closed <- l.Close(context.Background()) }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned before in-flight work finished: %v", err)
	case <-time.After(20 * time.Millisecond):
		// Close must still be waiting; the operation has not finished.
	}
	close(release)
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Close did not return")
	}
	if ran.Load() != 3 {
		t.Fatalf("ran %d jobs, want 3", ran.Load())
	}
	if l.Context().Err() == nil {
		t.Fatal("script context not cancelled after Close")
	}
}

func TestCloseGivesUpAndInterrupts(t *testing.T) {
	l := loop.New(10, 10)
	stop := make(chan struct{})
	l.SetInterrupt(func() { close(stop) })
	l.Start()
	l.Open()
	started := make(chan struct{})
	l.Submit(func() {
		close(started)
		<-stop // a runaway handler, stopped only by the interrupt
	})
	wait(t, started, "handler start")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err := l.Close(ctx)
	if !errors.Is(err, loop.ErrGaveUp) {
		t.Fatalf("want ErrGaveUp, got %v", err)
	}
	wait(t, l.Done(), "loop exit")
	if err2 := l.Close(context.Background()); err2 != err {
		t.Fatalf("second Close = %v, want %v", err2, err)
	}
}

func TestCloseNeverStarted(t *testing.T) {
	l := loop.New(1, 1)
	l.Submit(func() { t.Error("event of a never-started loop ran") })
	closeNow(t, l)
	wait(t, l.Done(), "done")
	l.Start() // harmless after Close
}

func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 50 {
		l := loop.New(4, 4)
		l.Start()
		l.Open()
		l.Submit(func() {})
		l.Post(func() {})
		closeNow(t, l)
	}
	deadline := time.Now().Add(waitLimit)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines: %d before, %d after", before, runtime.NumGoroutine())
		}
		runtime.Gosched()
	}
}

func TestBudgetCountsOnlyBracketedTime(t *testing.T) {
	now := time.Unix(0, 0)
	clock := func() time.Time { return now }
	b := loop.NewBudget(100*time.Millisecond, clock)
	if rem := b.Begin(); rem != 100*time.Millisecond {
		t.Fatalf("remaining %v", rem)
	}
	now = now.Add(40 * time.Millisecond)
	if b.End() {
		t.Fatal("exhausted too early")
	}
	now = now.Add(time.Hour) // waiting for I/O: not counted
	if rem := b.Begin(); rem != 60*time.Millisecond {
		t.Fatalf("remaining after wait %v", rem)
	}
	now = now.Add(60 * time.Millisecond)
	if !b.End() {
		t.Fatal("budget not exhausted")
	}
	if rem := b.Begin(); rem <= 0 {
		t.Fatalf("Begin must return a positive duration, got %v", rem)
	}
	err := b.Exceeded("handler")
	if !errors.Is(err, bindings.ErrLimit) || err.Error() != "handler exceeded its CPU budget of 100ms" {
		t.Fatalf("error %q", err)
	}
}

func TestPanickingJobDoesNotStopTheLoop(t *testing.T) {
	l := loop.New(4, 4)
	l.Start()
	l.Open()
	l.Submit(func() { panic("bug") })
	done := make(chan struct{})
	l.Submit(func() { close(done) })
	wait(t, done, "job after a panic")
	closeNow(t, l)
}

func TestQueueFullWaitBackPressureKeepsOrder(t *testing.T) {
	const n = 2000
	l := loop.New(8, 1)
	l.Start()
	l.Open()
	got := make([]int, 0, n)
	done := make(chan struct{})
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	waits := 0
	for i := range n {
		job := func() {
			got = append(got, i)
			if i%100 == 0 {
				time.Sleep(time.Millisecond) // a slow handler now and then: the queue fills
			}
			if i == n-1 {
				close(done)
			}
		}
		for {
			err := l.Submit(job)
			if err == nil {
				break
			}
			var full *loop.QueueFullError
			if !errors.As(err, &full) || !errors.Is(err, engine.ErrQueueFull) {
				t.Fatalf("submit %d: %v", i, err)
			}
			waits++
			if err := full.Wait(ctx); err != nil {
				t.Fatalf("wait %d: %v", i, err)
			}
		}
	}
	wait(t, done, "all events")
	if len(got) != n {
		t.Fatalf("ran %d of %d events", len(got), n)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("event %d ran as #%d", v, i)
		}
	}
	if waits == 0 {
		t.Fatal("the queue never filled: the test did not exercise Wait")
	}
	closeNow(t, l)
}

func TestQueueFullWaitEndsOnCloseAndCtx(t *testing.T) {
	l := loop.New(1, 1)
	l.Start() // not opened: the queue never drains
	if err := l.Submit(func() {}); err != nil {
		t.Fatal(err)
	}
	err := l.Submit(func() {})
	var full *loop.QueueFullError
	if !errors.As(err, &full) {
		t.Fatalf("want *QueueFullError, got %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := full.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait with an expiring ctx: %v", err)
	}
	res := make(chan error, 1)
	go func() { res <- full.Wait(context.Background()) }()
	closeNow(t, l)
	select {
	case err := <-res:
		if !errors.Is(err, engine.ErrClosed) {
			t.Fatalf("Wait after Close: %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Wait did not return after Close")
	}
}

func TestPostsRunBetweenBatchedEvents(t *testing.T) {
	l := loop.New(100, 10)
	l.Start()
	var order []string
	done := make(chan struct{})
	for i := range 10 {
		if err := l.Submit(func() {
			order = append(order, "event")
			if i == 0 {
				l.Post(func() { order = append(order, "post") })
			}
			if i == 9 {
				close(done)
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
	l.Open()
	wait(t, done, "events")
	closeNow(t, l)
	if len(order) != 11 || order[1] != "post" {
		t.Fatalf("the post did not run right after the event that made it: %v", order)
	}
}

// BenchmarkSubmit is the cost of handing one event to a running loop and
// running it, with the producer and the loop on separate goroutines.
func BenchmarkSubmit(b *testing.B) {
	l := loop.New(4096, 1)
	l.Start()
	l.Open()
	var ran atomic.Int64
	job := func() { ran.Add(1) }
	submitAll(b, l, &ran, func() error { return l.Submit(job) })
}

func TestSubmitDeliveryInOrderWithJobs(t *testing.T) {
	l := loop.New(100, 1)
	var got []string
	done := make(chan struct{})
	l.SetDeliver(func(d *engine.Delivery) {
		got = append(got, d.Event.Name)
		if d.Event.Name == "panic" {
			panic("handler bug")
		}
		if d.Event.Name == "last" {
			close(done)
		}
	})
	l.Start()
	for _, name := range []string{"a", "job", "panic", "b", "last"} {
		var err error
		if name == "job" {
			err = l.Submit(func() { got = append(got, "job") })
		} else {
			err = l.SubmitDelivery(&engine.Delivery{Event: bindings.Event{Name: name}})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	l.Open()
	wait(t, done, "deliveries")
	closeNow(t, l)
	if strings.Join(got, " ") != "a job panic b last" {
		t.Fatalf("ran %v", got)
	}
}

// BenchmarkSubmitDelivery is BenchmarkSubmit with a delivery instead of a
// closure.
func BenchmarkSubmitDelivery(b *testing.B) {
	l := loop.New(4096, 1)
	var ran atomic.Int64
	l.SetDeliver(func(*engine.Delivery) { ran.Add(1) })
	l.Start()
	l.Open()
	d := &engine.Delivery{}
	submitAll(b, l, &ran, func() error { return l.SubmitDelivery(d) })
}

// submitAll submits one event per benchmark iteration, waiting for room
// when the queue is full, then waits until ran counts them all.
func submitAll(b *testing.B, l *loop.Loop, ran *atomic.Int64, submit func() error) {
	ctx := context.Background()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		for {
			err := submit()
			if err == nil {
				break
			}
			var full *loop.QueueFullError
			if !errors.As(err, &full) {
				b.Fatal(err)
			}
			full.Wait(ctx)
		}
	}
	for ran.Load() < int64(n) {
		runtime.Gosched()
	}
	l.Close(ctx)
}
