package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/botrun/botrun/bench/load"
	"github.com/botrun/botrun/engine/jsondoc"
)

// bot is a running peer with its own emulator.
type bot struct {
	load.Bot
	emu   *emu
	dir   string        // botrun: the bot directory
	ready time.Duration // process start to first READY session
}

func startBot(ctx context.Context, w *workspace, p *peer, o startOpts) (*bot, error) {
	e, err := newEmu()
	if err != nil {
		return nil, err
	}
	cmd, err := p.command(w, e, o)
	if err != nil {
		e.Close()
		return nil, err
	}
	proc, err := load.Start(ctx, cmd)
	if err != nil {
		e.Close()
		return nil, err
	}
	b := &bot{Bot: load.Bot{Proc: proc, Plat: e}, emu: e, dir: cmd.Dir}
	rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := e.WaitReady(rctx, 1); err != nil {
		b.close()
		return nil, fmt.Errorf("%s never became READY: %w\n%s", p.name, err, proc.Output())
	}
	b.ready = time.Since(proc.Started())
	return b, nil
}

func (b *bot) close() {
	if err := b.Proc.Stop(10 * time.Second); err != nil {
		fmt.Fprintln(os.Stderr, "warning:", err)
	}
	b.emu.Close()
}

// answerWithin bounds how long a started peer may take to answer its
// first ping before the workload counts as failed.
const answerWithin = time.Minute

// idleMemory and ping bound the peer's answers by answerWithin.
func idleMemory(ctx context.Context, b *bot, settle time.Duration) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, answerWithin+settle)
	defer cancel()
	return load.IdleMemory(ctx, b.Bot, settle)
}

func ping(ctx context.Context, b *bot, tag string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, answerWithin)
	defer cancel()
	return load.Ping(ctx, b.Bot, tag, time.Second)
}

// checkAll proves each peer works against the emulator: it connects,
// becomes READY and answers "!ping".
func checkAll(ctx context.Context, w *workspace, peers []*peer) error {
	var failed []string
	for _, p := range peers {
		b, err := startBot(ctx, w, p, startOpts{scripts: 1})
		if err != nil {
			fmt.Printf("FAIL %-11s %v\n", p.name, err)
			failed = append(failed, p.name)
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		rtt, err := load.Ping(pctx, b.Bot, "check", 2*time.Second)
		cancel()
		b.close()
		if err != nil {
			fmt.Printf("FAIL %-11s %v\n", p.name, err)
			failed = append(failed, p.name)
			continue
		}
		fmt.Printf("ok   %-11s READY %v after start; answered \"!ping check\" with \"pong check\" in %v\n", p.name, b.ready.Round(time.Millisecond), rtt.Round(time.Microsecond))
	}
	if len(failed) > 0 {
		return fmt.Errorf("check failed for %s", strings.Join(failed, ", "))
	}
	return nil
}

// figures collects one peer's figures over the runs.
type figures struct {
	perSec, cpuPerEvent, peak, frame []float64
	loadPerEvent, missed, idle       []float64
	cores                            []float64 // bot CPU time / elapsed in the throughput run
	peakAnon, peakFile               []float64 // sampled split of peak (throughput run)
	p50, p99, pmax, lost             []float64
	idle1, idle100                   []float64
	ready200, answer200              []float64
	reload1, reload200               []float64
	events                           int
}

func med(xs []float64) float64 { return load.Median(xs) }

func benchmark(ctx context.Context, w *workspace, c config) (string, error) {
	machine := load.Describe(ctx)
	fig := map[string]*figures{}
	frame, err := chatFrame()
	if err != nil {
		return "", err
	}
	// Measured first, while no peer is running.
	decJS, decStd := decodeCost(frame)
	var errs []string
	fail := func(p *peer, what string, err error) {
		msg := fmt.Sprintf("%s %s: %v", p.name, what, err)
		fmt.Fprintln(os.Stderr, "error:", msg)
		errs = append(errs, msg)
	}
	for _, p := range c.peers {
		fig[p.name] = &figures{}
	}
	for r := 1; r <= c.runs; r++ {
		for _, p := range c.peers {
			f := fig[p.name]
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			if p.zlib && !c.workloads["throughput"] {
				continue
			}
			fmt.Fprintf(os.Stderr, "run %d/%d: %s\n", r, c.runs, p.name)
			if p.zlib {
				// The compressed variants show what compression costs in
				// the throughput workload; the rest would repeat botrun.
				tc := c
				tc.workloads = map[string]bool{"throughput": true}
				if err := mainWorkloads(ctx, w, tc, p, f, r); err != nil {
					fail(p, "workloads", err)
				}
				continue
			}
			if c.workloads["throughput"] || c.workloads["latency"] || c.workloads["memory"] {
				if err := mainWorkloads(ctx, w, c, p, f, r); err != nil {
					fail(p, "workloads", err)
				}
			}
			if c.workloads["memory"] {
				if b, err := startBot(ctx, w, p, startOpts{scripts: 100}); err != nil {
					fail(p, "idle memory (100 scripts)", err)
				} else {
					rss, err := idleMemory(ctx, b, c.settle)
					b.close()
					if err != nil {
						fail(p, "idle memory (100 scripts)", err)
					} else {
						f.idle100 = append(f.idle100, float64(rss))
					}
				}
			}
			if c.workloads["botrun"] && p.botrun {
				if err := botrunWorkloads(ctx, w, c, p, f); err != nil {
					fail(p, "botrun-only workloads", err)
				}
			}
		}
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "Machine: %s\n", machine)
	fmt.Fprintf(&out, "Date: %s; %d run(s) per figure, medians shown.\n", time.Now().UTC().Format(time.RFC3339), c.runs)
	writeTables(&out, c, fig)
	fmt.Fprintf(&out, "\nDecoding one ordinary dispatch's data (%d B) in the driver before the runs: engine/jsondoc %s, encoding/json into a map %s.\n", len(frame), dur(decJS), dur(decStd))
	if len(errs) > 0 {
		fmt.Fprintf(&out, "\nErrors (figures missing above):\n")
		for _, e := range errs {
			fmt.Fprintf(&out, "- %s\n", strings.SplitN(e, "\n", 2)[0])
		}
		return out.String(), fmt.Errorf("%d workload(s) failed", len(errs))
	}
	return out.String(), nil
}

// mainWorkloads runs idle memory (1 script), throughput and latency on one
// process of p.
func mainWorkloads(ctx context.Context, w *workspace, c config, p *peer, f *figures, run int) error {
	b, err := startBot(ctx, w, p, startOpts{scripts: 1})
	if err != nil {
		return err
	}
	defer b.close()
	if c.workloads["memory"] {
		rss, err := idleMemory(ctx, b, c.settle)
		if err != nil {
			return fmt.Errorf("idle memory: %w", err)
		}
		f.idle1 = append(f.idle1, float64(rss))
	} else if _, err := ping(ctx, b, "warm"); err != nil {
		return err
	}
	if c.workloads["throughput"] {
		tctx, cancel := context.WithTimeout(ctx, 20*c.duration+time.Minute)
		defer cancel()
		if f.events == 0 {
			n, err := load.SizeThroughput(tctx, b.Bot, c.duration)
			if err != nil {
				return fmt.Errorf("throughput calibration: %w", err)
			}
			f.events = n
		}
		var t load.Throughput
		for try := 0; ; try++ {
			t, err = load.RunThroughput(tctx, b.Bot, f.events, fmt.Sprintf("T%d.%d", run, try))
			if err != nil {
				return fmt.Errorf("throughput: %w", err)
			}
			fmt.Fprintf(os.Stderr, "  throughput %s: %d events (%.0f MB on the wire) in %v: %.0f events/s, %v CPU per event; driver %v per event sending, %v preparing; machine %.0f%% idle\n",
				p.name, t.Events, float64(t.WireBytes)/1e6, t.Elapsed.Round(time.Millisecond), t.PerSec(), t.CPUPerEvent(),
				t.LoadCPU/time.Duration(t.Events), t.PrepareCPU/time.Duration(t.Events), 100*t.Idle)
			// A calibration taken while the machine was busier leaves a run
			// far shorter than asked: size it again from this run, and
			// repeat it (twice at most).
			if t.Elapsed >= c.duration/2 || try == 2 || f.events >= load.MaxThroughputEvents {
				break
			}
			f.events = load.EventsFor(t, c.duration)
		}
		f.perSec = append(f.perSec, t.PerSec())
		f.cpuPerEvent = append(f.cpuPerEvent, float64(t.CPUPerEvent()))
		f.cores = append(f.cores, t.CPU.Seconds()/t.Elapsed.Seconds())
		if t.Idle >= 0 {
			f.idle = append(f.idle, t.Idle)
		}
		f.loadPerEvent = append(f.loadPerEvent, float64(t.LoadCPU)/float64(t.Events))
		f.missed = append(f.missed, float64(t.Events-t.Handled))
		f.peak = append(f.peak, float64(t.PeakRSS))
		if t.PeakMem.Samples > 0 {
			f.peakAnon = append(f.peakAnon, float64(t.PeakMem.Anon))
			f.peakFile = append(f.peakFile, float64(t.PeakMem.File))
		}
		f.frame = append(f.frame, float64(len(t.Frame)))
	}
	if c.workloads["latency"] {
		l, err := load.RunLatency(ctx, b.Bot, c.rate, c.latencyFor)
		if err != nil {
			return fmt.Errorf("latency: %w", err)
		}
		f.p50 = append(f.p50, float64(l.P50))
		f.p99 = append(f.p99, float64(l.P99))
		f.pmax = append(f.pmax, float64(l.Max))
		f.lost = append(f.lost, float64(l.Sent-l.Answered))
	}
	return nil
}

// botrunWorkloads measures what only botrun has: start-up with 200
// scripts and hot reload with 1 and 200 scripts.
func botrunWorkloads(ctx context.Context, w *workspace, c config, p *peer, f *figures) error {
	b, err := startBot(ctx, w, p, startOpts{scripts: 200, quiet: true})
	if err != nil {
		return fmt.Errorf("start-up with 200 scripts: %w", err)
	}
	rtt, err := ping(ctx, b, "first")
	answered := time.Since(b.Proc.Started())
	b.close()
	if err != nil {
		return err
	}
	_ = rtt
	f.ready200 = append(f.ready200, float64(b.ready))
	f.answer200 = append(f.answer200, float64(answered))
	for _, n := range []int{1, 200} {
		d, err := reload(ctx, w, c, p, n)
		if err != nil {
			return fmt.Errorf("hot reload with %d scripts: %w", n, err)
		}
		if n == 1 {
			f.reload1 = append(f.reload1, float64(d))
		} else {
			f.reload200 = append(f.reload200, float64(d))
		}
	}
	return nil
}

// reload times save-to-active: from writing a changed bench script to the
// first "!ping" answered by the new version.
func reload(ctx context.Context, w *workspace, c config, p *peer, scripts int) (time.Duration, error) {
	b, err := startBot(ctx, w, p, startOpts{scripts: scripts, watch: true, quiet: true})
	if err != nil {
		return 0, err
	}
	defer b.close()
	if _, err := ping(ctx, b, "warm"); err != nil {
		return 0, err
	}
	path := filepath.Join(b.dir, "bench."+p.ext)
	src, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	changed := bytes.ReplaceAll(src, []byte(`"pong "`), []byte(`"reloaded "`))
	if bytes.Equal(changed, src) {
		return 0, fmt.Errorf("%s has no \"pong \" to change", path)
	}
	saved := time.Now()
	if err := os.WriteFile(path, changed, 0o644); err != nil {
		return 0, err
	}
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	tick := time.NewTicker(c.reloadPings)
	defer tick.Stop()
	for k := 0; ; k++ {
		if err := b.Plat.Send(fmt.Sprintf("!ping R%d", k)); err != nil {
			return 0, err
		}
		for {
			select {
			case r := <-b.Plat.Replies():
				if strings.HasPrefix(r.Content, "reloaded R") {
					return r.At.Sub(saved), nil
				}
				continue
			case <-tick.C:
			case <-rctx.Done():
				return 0, fmt.Errorf("the changed script never answered: %w\n%s", context.Cause(rctx), b.Proc.Output())
			}
			break
		}
	}
}

// chatFrame is the data of one ordinary throughput dispatch, taken
// from an emulator with no bot connected.
func chatFrame() ([]byte, error) {
	e, err := newEmu()
	if err != nil {
		return nil, err
	}
	defer e.Close()
	if err := e.Send(load.ChatContent(0)); err != nil {
		return nil, err
	}
	return e.LastFrame(), nil
}

// decodeCost is what decoding one dispatch's data costs in-process: the
// floor under any bot's per-event cost.
func decodeCost(frame []byte) (jsondocNs, stdlibNs float64) {
	if len(frame) == 0 {
		return 0, 0
	}
	r := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			if _, err := jsondoc.Parse(frame); err != nil {
				b.Fatal(err)
			}
		}
	})
	s := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(frame, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
	return float64(r.NsPerOp()), float64(s.NsPerOp())
}
