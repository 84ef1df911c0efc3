package js

import (
	"container/heap"
	"math"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// setTimeout and friends. The queue lives on the loop goroutine and fires
// timers in deadline order (ties in creation order), which one sleeper
// goroutine per script cannot reorder; each live timer holds one pending
// slot (Limits.MaxPending). Timers do not keep Close waiting: unloading a
// script cancels them.

type jsTimer struct {
	id      int64
	when    time.Time
	seq     uint64
	every   time.Duration // 0 for setTimeout
	fn      goja.Value
	args    []goja.Value
	release func()
	index   int // in the heap, -1 when not queued
}

type timerHeap []*jsTimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].when.Equal(h[j].when) {
		return h[i].seq < h[j].seq
	}
	return h[i].when.Before(h[j].when)
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i]; h[i].index = i; h[j].index = j }
func (h *timerHeap) Push(x any)   { t := x.(*jsTimer); t.index = len(*h); *h = append(*h, t) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

type timerQueue struct {
	s      *script
	heap   timerHeap          // owned by the loop goroutine
	byID   map[int64]*jsTimer // owned by the loop goroutine
	nextID int64
	seq    uint64

	wake    chan time.Time // the next deadline for the sleeper (zero: none)
	once    sync.Once
	stopped sync.WaitGroup // the sleeper goroutine
}

func newTimerQueue(s *script) *timerQueue {
	return &timerQueue{s: s, byID: map[int64]*jsTimer{}, wake: make(chan time.Time, 1)}
}

// sleeper posts runDue to the loop when the earliest deadline passes. It
// stops with the script's context.
func (q *timerQueue) sleeper() {
	defer q.stopped.Done()
	ctx := q.s.loop.Context()
	t := time.NewTimer(time.Hour)
	t.Stop()
	for {
		select {
		case when := <-q.wake:
			t.Stop()
			if !when.IsZero() {
				t.Reset(time.Until(when))
			}
		case <-t.C:
			if !q.s.loop.Post(q.runDue) {
				return
			}
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
}

// reschedule tells the sleeper the earliest deadline. Only the loop
// goroutine sends, so draining then sending keeps the newest value.
func (q *timerQueue) reschedule() {
	var when time.Time
	if len(q.heap) > 0 {
		when = q.heap[0].when
	}
	select {
	case <-q.wake:
	default:
	}
	q.wake <- when
}

func (q *timerQueue) add(fn goja.Value, delay time.Duration, every time.Duration, args []goja.Value) (int64, error) {
	release, err := q.s.loop.Acquire()
	if err != nil {
		return 0, err
	}
	q.once.Do(func() {
		q.stopped.Add(1)
		go q.sleeper()
	})
	q.nextID++
	q.seq++
	t := &jsTimer{id: q.nextID, when: time.Now().Add(delay), seq: q.seq, every: every, fn: fn, args: args, release: release}
	q.byID[t.id] = t
	heap.Push(&q.heap, t)
	q.reschedule()
	return t.id, nil
}

func (q *timerQueue) clear(id int64) {
	t, ok := q.byID[id]
	if !ok {
		return
	}
	delete(q.byID, id)
	if t.index >= 0 {
		heap.Remove(&q.heap, t.index)
	}
	t.release()
	q.reschedule()
}

// runDue fires every timer whose deadline has passed, one invocation
// each, in order. A callback may clear timers that are also due.
func (q *timerQueue) runDue() {
	now := time.Now()
	for len(q.heap) > 0 && !q.heap[0].when.After(now) {
		t := heap.Pop(&q.heap).(*jsTimer)
		if t.every > 0 {
			q.seq++
			t.seq = q.seq
			t.when = now.Add(t.every)
			heap.Push(&q.heap, t)
		} else {
			delete(q.byID, t.id)
			t.release()
		}
		args := t.args
		q.s.call(t.fn, args)
	}
	q.reschedule()
}

// wait blocks until the sleeper has exited (after the loop stopped).
func (q *timerQueue) wait() { q.stopped.Wait() }

// installTimers defines setTimeout, setInterval, clearTimeout and
// clearInterval. Handles are numbers, as in browsers.
func (s *script) installTimers() {
	set := func(repeat bool) func(goja.FunctionCall) goja.Value {
		name := "setTimeout"
		if repeat {
			name = "setInterval"
		}
		return func(call goja.FunctionCall) goja.Value {
			fn := call.Argument(0)
			if _, ok := goja.AssertFunction(fn); !ok {
				panic(s.newError(s.typeErrCtor, name+": first argument must be a function"))
			}
			d := delayOf(call.Argument(1))
			var every time.Duration
			if repeat {
				d = max(d, s.bs.EffectiveCaps().MinInterval)
				every = d
			}
			var args []goja.Value
			if len(call.Arguments) > 2 {
				args = append(args, call.Arguments[2:]...)
			}
			id, err := s.timers.add(fn, d, every, args)
			if err != nil {
				panic(s.jsError(&limitError{name, err}, s.where()))
			}
			return s.vm.ToValue(id)
		}
	}
	clear := func(call goja.FunctionCall) goja.Value {
		if v := call.Argument(0); !goja.IsUndefined(v) && !goja.IsNull(v) {
			s.timers.clear(v.ToInteger())
		}
		return goja.Undefined()
	}
	s.vm.Set("setTimeout", set(false))
	s.vm.Set("setInterval", set(true))
	s.vm.Set("clearTimeout", clear)
	s.vm.Set("clearInterval", clear)
}

// delayOf reads a delay in ms the way browsers do: missing, negative or
// NaN is 0; beyond 2^31-1 ms it is 1 ms (Node's overflow rule).
func delayOf(v goja.Value) time.Duration {
	if goja.IsUndefined(v) || goja.IsNull(v) {
		return 0
	}
	ms := v.ToFloat()
	switch {
	case math.IsNaN(ms) || ms <= 0:
		return 0
	case ms > math.MaxInt32:
		return time.Millisecond
	}
	return time.Duration(ms * float64(time.Millisecond))
}
