package bindings

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Timers: timer.after, timer.every, timer.cancel, sleep. Each live timer
// holds one Env.Acquire slot and one goroutine, both released when it
// fires (after), is cancelled, or the script generation is retired
// (c.Ctx done), so a reload never leaves timers behind.

// maxDelay is the longest delay a timer or sleep accepts: 2^31-1 ms, as in
// browsers, about 24.8 days.
const maxDelay = math.MaxInt32 * time.Millisecond

// timer is the Go state behind a timer handle.
type timer struct {
	stop chan struct{}
	once sync.Once
}

func (t *timer) cancel() { t.once.Do(func() { close(t.stop) }) }

func (t *timer) stopped() bool {
	select {
	case <-t.stop:
		return true
	default:
		return false
	}
}

func argDelay(c *Call, fn string, i int) (time.Duration, error) {
	ms, err := argNumber(c, fn, i, "milliseconds")
	if err != nil {
		return 0, err
	}
	if ms < 0 {
		return 0, Usagef(fn, "delay must not be negative, got %v ms", ms)
	}
	d := time.Duration(ms * float64(time.Millisecond))
	if ms > float64(maxDelay/time.Millisecond) {
		return 0, Usagef(fn, "delay is longer than %d ms (about 24.8 days)", maxDelay/time.Millisecond)
	}
	return d, nil
}

func callCtx(c *Call) context.Context {
	if c.Ctx == nil {
		return context.Background()
	}
	return c.Ctx
}

func scriptEnv(c *Call, fn string) (Env, error) {
	if c.Script == nil || c.Script.Env == nil {
		return nil, Usagef(fn, "no script environment (internal error)")
	}
	return c.Script.Env, nil
}

func timerAfter(c *Call) (any, error) { return startTimer(c, "timer.after", false) }
func timerEvery(c *Call) (any, error) { return startTimer(c, "timer.every", true) }

func startTimer(c *Call, fn string, repeat bool) (any, error) {
	if err := checkArgs(c, fn, 2, 2); err != nil {
		return nil, err
	}
	d, err := argDelay(c, fn, 0)
	if err != nil {
		return nil, err
	}
	if min := c.Script.caps().MinInterval; repeat && d < min {
		return nil, Usagef(fn, "interval must be at least %v, got %v", min, d)
	}
	cb, err := argCallback(c, fn, 1)
	if err != nil {
		return nil, err
	}
	env, err := scriptEnv(c, fn)
	if err != nil {
		return nil, err
	}
	release, err := env.Acquire()
	if err != nil {
		return nil, &UsageError{Func: fn, Msg: "too many pending timers and operations: " + err.Error(), err: err}
	}
	t := &timer{stop: make(chan struct{})}
	ctx := callCtx(c)
	if repeat {
		go runEvery(ctx, env, t, d, cb, release)
	} else {
		go runAfter(ctx, env, t, d, cb, release)
	}
	return &Object{Kind: KindTimer, State: t}, nil
}

func runAfter(ctx context.Context, env Env, t *timer, d time.Duration, cb Callback, release func()) {
	defer release()
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		if !t.stopped() && ctx.Err() == nil {
			env.Post(cb)
		}
	case <-t.stop:
	case <-ctx.Done():
	}
}

func runEvery(ctx context.Context, env Env, t *timer, d time.Duration, cb Callback, release func()) {
	defer release()
	tk := time.NewTicker(d)
	defer tk.Stop()
	tracker, _ := env.(PostTracker)
	var queued atomic.Bool // a tick is posted and has not run yet
	done := func() { queued.Store(false) }
	for {
		select {
		case <-tk.C:
			if t.stopped() || ctx.Err() != nil {
				return
			}
			if tracker == nil {
				if !env.Post(cb) {
					return
				}
				continue
			}
			if !queued.CompareAndSwap(false, true) {
				continue // the script is behind: skip this tick
			}
			if !tracker.PostTracked(cb, done) {
				return
			}
		case <-t.stop:
			return
		case <-ctx.Done():
			return
		}
	}
}

// timerCancel is timer.cancel(handle); a nil handle is ignored, like
// clearTimeout(undefined).
func timerCancel(c *Call) (any, error) {
	const fn = "timer.cancel"
	if err := checkArgs(c, fn, 0, 1); err != nil {
		return nil, err
	}
	v := arg(c, 0)
	if v == nil {
		return nil, nil
	}
	o, ok := v.(*Object)
	if !ok || o == nil {
		return nil, Usagef(fn, "argument must be a timer handle, got %s", typeName(v))
	}
	t, ok := o.State.(*timer)
	if !ok {
		return nil, Usagef(fn, "argument must be a timer handle, got a %s handle", o.Kind)
	}
	t.cancel()
	return nil, nil
}

func timerObjectCancel(c *Call) (any, error) {
	if err := checkArgs(c, "cancel", 0, 0); err != nil {
		return nil, err
	}
	t, ok := receiver[*timer](c)
	if !ok {
		return nil, Usagef("cancel", "must be called on a timer handle")
	}
	t.cancel()
	return nil, nil
}

// bindSleep waits without holding the VM: it is Async, so the engine
// suspends the caller and runs other events meanwhile.
func bindSleep(c *Call) (any, error) {
	const fn = "sleep"
	if err := checkArgs(c, fn, 1, 1); err != nil {
		return nil, err
	}
	d, err := argDelay(c, fn, 0)
	if err != nil {
		return nil, err
	}
	ctx := callCtx(c)
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}
