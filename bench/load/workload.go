package load

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Bot is one peer process connected to its own emulator.
type Bot struct {
	Proc *Proc
	Plat Platform
}

// awaitReply waits for a reply with exactly content, skipping others.
func awaitReply(ctx context.Context, replies <-chan Reply, content string) (Reply, error) {
	for {
		select {
		case r := <-replies:
			if r.Content == content {
				return r, nil
			}
		case <-ctx.Done():
			return Reply{}, fmt.Errorf("no %q reply: %w", content, context.Cause(ctx))
		}
	}
}

// awaitPrefix waits for a reply starting with prefix, skipping others.
func awaitPrefix(ctx context.Context, replies <-chan Reply, prefix string) (Reply, error) {
	for {
		select {
		case r := <-replies:
			if strings.HasPrefix(r.Content, prefix) {
				return r, nil
			}
		case <-ctx.Done():
			return Reply{}, fmt.Errorf("no %q reply: %w", prefix+"…", context.Cause(ctx))
		}
	}
}

// Ping sends "!ping TAG" every retry until "pong TAG" comes back: the first
// answer proves the bot's handler is live end to end. It returns the time
// the first answered ping took.
func Ping(ctx context.Context, b Bot, tag string, retry time.Duration) (time.Duration, error) {
	want := "pong " + tag
	for {
		sent := time.Now()
		if err := b.Plat.Send("!ping " + tag); err != nil {
			return 0, err
		}
		wait, cancel := context.WithTimeout(ctx, retry)
		r, err := awaitReply(wait, b.Plat.Replies(), want)
		cancel()
		if err == nil {
			return r.At.Sub(sent), nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("%s never answered %q: %w\n%s", b.Proc.Name, "!ping "+tag, context.Cause(ctx), b.Proc.Output())
		case <-b.Proc.Exited():
			return 0, fmt.Errorf("%s exited before answering:\n%s", b.Proc.Name, b.Proc.Output())
		default:
		}
	}
}

// Throughput is one throughput run.
type Throughput struct {
	Events  int
	Handled int           // events the handler had seen when it answered "!done"
	Elapsed time.Duration // first byte of the burst written → the final reply
	CPU     time.Duration // peer CPU time over the run
	// LoadCPU is the driver's own CPU time while sending (emulator,
	// writing the prepared burst, taking the reply); PrepareCPU what
	// building the burst cost before the clock started.
	LoadCPU, PrepareCPU time.Duration
	// Idle is the share of the machine's CPU time (all cores) that was
	// idle during the run; -1 if unknown. Near 0, the box was the limit.
	Idle    float64
	PeakRSS int64 // peer resident-memory high-water mark over the run
	// PeakMem splits the resident set into private memory and program
	// pages, sampled every memorySampling over the run.
	PeakMem   MemPeaks
	Frame     []byte // one ordinary dispatch's data, as sent
	WireBytes int    // the burst's size on the wire
}

// PerSec is events handled per second.
func (t Throughput) PerSec() float64 { return float64(t.Events) / t.Elapsed.Seconds() }

// CPUPerEvent is the peer's CPU time per event.
func (t Throughput) CPUPerEvent() time.Duration { return t.CPU / time.Duration(max(t.Events, 1)) }

// RunThroughput sends n MESSAGE_CREATEs as one burst prepared before the
// clock starts, so producing the load costs the driver almost nothing
// while the bot works; the last message is "!done TAG", and its reply,
// which carries how many messages the handler saw, ends the run. A bot
// that sheds load under the burst reports fewer than n.
func RunThroughput(ctx context.Context, b Bot, n int, tag string) (Throughput, error) {
	if n < 1 {
		return Throughput{}, errors.New("throughput: no events")
	}
	done := "!done " + tag
	prep0 := selfCPU()
	burst, err := b.Plat.PrepareBurst(ctx, n, func(i int) string {
		if i == n-1 {
			return done
		}
		return ChatContent(i)
	})
	if err != nil {
		return Throughput{}, fmt.Errorf("prepare burst: %w", err)
	}
	// Collect building's garbage now, so none of that work falls into
	// the measured run.
	runtime.GC()
	t := Throughput{Events: n, PrepareCPU: selfCPU() - prep0, Frame: burst.Sample(), WireBytes: burst.Size()}
	if err := b.Proc.ResetPeak(); err != nil {
		burst.Cancel()
		return Throughput{}, fmt.Errorf("reset peak memory: %w", err)
	}
	cpu0, err := b.Proc.CPU()
	if err != nil {
		burst.Cancel()
		return Throughput{}, err
	}
	mach0, merr := ReadCPUTimes()
	self0 := selfCPU()
	watch := b.Proc.WatchMemory(memorySampling)
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	sent := make(chan error, 1)
	start := time.Now()
	go func() { sent <- burst.Send(sctx) }()
	r, err := awaitPrefix(ctx, b.Plat.Replies(), "done "+tag+" ")
	t.PeakMem = watch()
	if err != nil {
		return Throughput{}, fmt.Errorf("%s: %w\n%s", b.Proc.Name, err, b.Proc.Output())
	}
	t.Elapsed = r.At.Sub(start)
	t.LoadCPU = selfCPU() - self0
	mach1, merr1 := ReadCPUTimes()
	t.Idle = -1
	if merr == nil && merr1 == nil {
		t.Idle = IdleShare(mach0, mach1)
	}
	// The reply came after the bot read the last message, so the last
	// write has returned or is about to.
	select {
	case err := <-sent:
		if err != nil {
			return Throughput{}, err
		}
	case <-ctx.Done():
		return Throughput{}, context.Cause(ctx)
	}
	handled, err := strconv.Atoi(strings.TrimPrefix(r.Content, "done "+tag+" "))
	if err != nil {
		return Throughput{}, fmt.Errorf("%s: bad count in %q", b.Proc.Name, r.Content)
	}
	cpu1, err := b.Proc.CPU()
	if err != nil {
		return Throughput{}, err
	}
	mem, err := b.Proc.Memory()
	if err != nil {
		return Throughput{}, err
	}
	t.CPU = cpu1 - cpu0
	t.PeakRSS = mem.Peak
	// A peer that runs handlers concurrently (discordgo) may answer the
	// previous run's "!done" before its last few messages, which then
	// count here: never report more than were sent.
	t.Handled = min(handled, n)
	return t, nil
}

// memorySampling is how often RunThroughput samples the bot's private
// memory and program pages. A bot's heap rises and falls with each
// garbage collection, every few milliseconds under the burst, so samples
// land at random points of the cycle, and the 50 or so of a 5 s run come
// close to its top. Sampling more often is not free: on this kind of
// virtual machine each wakeup of the driver costs about 0.3 ms of CPU,
// which every 10 ms was 3% of a core taken from the bot under test.
const memorySampling = 100 * time.Millisecond

// selfCPU is this process's user+system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// SizeThroughput picks an event count that makes a throughput run last
// at least about target, from a short calibration run (with a quarter to
// spare: a short run is often faster than a long one, whose garbage the
// bot has to collect).
func SizeThroughput(ctx context.Context, b Bot, target time.Duration) (int, error) {
	const probe = 20_000
	t, err := RunThroughput(ctx, b, probe, "calibrate")
	if err != nil {
		return 0, err
	}
	return max(probe, EventsFor(t, target)), nil
}

// MaxThroughputEvents bounds a throughput run: its prepared burst is
// about 2 GB uncompressed.
const MaxThroughputEvents = 2_000_000

// EventsFor is the event count that makes a run at t's rate last about
// target, with a quarter to spare, at most MaxThroughputEvents.
func EventsFor(t Throughput, target time.Duration) int {
	return min(int(1.25*t.PerSec()*target.Seconds()), MaxThroughputEvents)
}

// Latency is one latency run.
type Latency struct {
	Sent, Answered int
	P50, P99, Max  time.Duration
}

// RunLatency sends "!ping L<i>" at rate per second for d and times each
// "pong L<i>" from the moment the dispatch was queued.
func RunLatency(ctx context.Context, b Bot, rate int, d time.Duration) (Latency, error) {
	total := int(float64(rate) * d.Seconds())
	if total < 1 {
		return Latency{}, errors.New("latency: rate × duration is below one message")
	}
	sent := make([]atomic.Int64, total) // unix nanos when queued
	lat := make([]atomic.Int64, total)  // nanos; 0 = unanswered
	var answered atomic.Int64
	recvCtx, stop := context.WithCancel(ctx)
	defer stop()
	recvDone := make(chan struct{})
	go func() {
		defer close(recvDone)
		for {
			select {
			case r := <-b.Plat.Replies():
				tag, ok := strings.CutPrefix(r.Content, "pong L")
				if !ok {
					continue
				}
				i, err := strconv.Atoi(tag)
				if err != nil || i < 0 || i >= total {
					continue
				}
				if s := sent[i].Load(); s != 0 && lat[i].CompareAndSwap(0, r.At.UnixNano()-s) {
					if answered.Add(1) == int64(total) {
						return
					}
				}
			case <-recvCtx.Done():
				return
			}
		}
	}()
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	for i := 0; i < total; i++ {
		if w := time.Until(start.Add(time.Duration(i) * interval)); w > 0 {
			time.Sleep(w) // pacing the load generator, not waiting on a condition
		}
		sent[i].Store(time.Now().UnixNano())
		if err := b.Plat.Send("!ping L" + strconv.Itoa(i)); err != nil {
			return Latency{}, err
		}
	}
	// Stragglers get a grace period; what is still missing counts as lost.
	select {
	case <-recvDone:
	case <-time.After(5 * time.Second):
		stop()
		<-recvDone
	case <-ctx.Done():
		stop()
		<-recvDone
		return Latency{}, context.Cause(ctx)
	}
	ds := make([]time.Duration, 0, total)
	for i := range lat {
		if v := lat[i].Load(); v > 0 {
			ds = append(ds, time.Duration(v))
		}
	}
	l := Latency{Sent: total, Answered: len(ds)}
	l.P50, l.P99, l.Max = Percentile(ds, 50), Percentile(ds, 99), Percentile(ds, 100)
	return l, nil
}

// IdleMemory is a bot's resident memory once it is READY, has answered a
// ping, and has had settle to let start-up garbage be collected.
func IdleMemory(ctx context.Context, b Bot, settle time.Duration) (int64, error) {
	if _, err := Ping(ctx, b, "idle", time.Second); err != nil {
		return 0, err
	}
	select {
	case <-time.After(settle): // a fixed settling period is the measurement's definition
	case <-ctx.Done():
		return 0, context.Cause(ctx)
	}
	m, err := b.Proc.Memory()
	return m.RSS, err
}
