package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/botrun/botrun/bench/load"
)

func dur(ns float64) string {
	if ns <= 0 {
		return ""
	}
	d := time.Duration(ns)
	switch {
	case d < 10*time.Microsecond:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", ns/1e3)
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", ns/1e6)
	}
	return fmt.Sprintf("%.2f s", ns/1e9)
}

func num(x float64, format string) string {
	if x <= 0 {
		return ""
	}
	return fmt.Sprintf(format, x)
}

// percent formats the median of shares (0..1) as a percentage.
func percent(xs []float64) string {
	if len(xs) == 0 {
		return ""
	}
	return fmt.Sprintf("%.0f%%", 100*med(xs))
}

// count formats a median count, "0" included; "" when never measured.
func count(xs []float64) string {
	if len(xs) == 0 {
		return ""
	}
	return fmt.Sprintf("%.0f", med(xs))
}

// base returns botrun's figure for ratios: the botrun variant with the
// same handler language when measured, else the other one.
func base(fig map[string]*figures, p *peer, pick func(*figures) []float64) float64 {
	order := []string{"botrun-lua", "botrun-js"}
	if p.name == "discordjs" || strings.HasPrefix(p.name, "botrun-js") {
		order = []string{"botrun-js", "botrun-lua"}
	}
	for _, n := range order {
		if f, ok := fig[n]; ok && len(pick(f)) > 0 {
			return med(pick(f))
		}
	}
	return 0
}

func writeTables(w io.Writer, c config, fig map[string]*figures) {
	ratioNote := "Ratios divide the peer's figure by botrun's (JS peers by botrun (JS), others by botrun (Lua)); for events/s above 1× is better for the peer, for times and memory below 1× is."
	if c.workloads["throughput"] {
		t := load.Table{Title: "Throughput: MESSAGE_CREATE dispatches handled per second", Columns: []string{"peer", "events/s", "ratio to botrun", "CPU per event", "ratio to botrun", "peak RSS", "ratio to botrun", "events per run", "not seen by the handler", "dispatch data", "bot's cores in use", "emulator CPU per event", "machine idle"}}
		for _, p := range c.peers {
			f := fig[p.name]
			t.Rows = append(t.Rows, []string{p.label,
				num(med(f.perSec), "%.0f"), load.Ratio(med(f.perSec), base(fig, p, func(f *figures) []float64 { return f.perSec })),
				dur(med(f.cpuPerEvent)), load.Ratio(med(f.cpuPerEvent), base(fig, p, func(f *figures) []float64 { return f.cpuPerEvent })),
				load.MiB(med(f.peak)), load.Ratio(med(f.peak), base(fig, p, func(f *figures) []float64 { return f.peak })),
				num(float64(f.events), "%.0f"), count(f.missed), num(med(f.frame), "%.0f B"), num(med(f.cores), "%.2f"), dur(med(f.loadPerEvent)), percent(f.idle)})
		}
		t.Write(w)
		fmt.Fprintln(w, "\nTransport: every peer receives uncompressed JSON (discord.js's default; botrun with `compress = false`) except the rows marked zlib-stream. Events/s run from the first byte of a burst prepared before the clock starts to the final reply; the emulator's CPU per event is what sending it cost the driver process, and machine idle is the share of all cores' time that was idle meanwhile. A bot using less than a core of CPU while the machine has no idle time was held back by other work on the machine; its CPU per event is then the steadier figure.")
	}
	if c.workloads["latency"] {
		t := load.Table{Title: fmt.Sprintf("Latency: %d \"!ping\"/s for %v, dispatch queued → reply received", c.rate, c.latencyFor), Columns: []string{"peer", "p50", "p99", "ratio (p99) to botrun", "max", "unanswered"}}
		for _, p := range c.peers {
			f := fig[p.name]
			lost := ""
			if len(f.lost) > 0 {
				lost = fmt.Sprintf("%.0f", med(f.lost))
				if med(f.lost) == 0 {
					lost = "0"
				}
			}
			t.Rows = append(t.Rows, []string{p.label, dur(med(f.p50)), dur(med(f.p99)),
				load.Ratio(med(f.p99), base(fig, p, func(f *figures) []float64 { return f.p99 })), dur(med(f.pmax)), lost})
		}
		t.Write(w)
	}
	if c.workloads["memory"] {
		t := load.Table{Title: "Memory: resident set size", Columns: []string{"peer", "idle, 1 script", "ratio to botrun", "idle, 100 scripts", "ratio to botrun", "peak during throughput", "of it: private memory", "ratio to botrun", "of it: program pages"}}
		for _, p := range c.peers {
			f := fig[p.name]
			t.Rows = append(t.Rows, []string{p.label,
				load.MiB(med(f.idle1)), load.Ratio(med(f.idle1), base(fig, p, func(f *figures) []float64 { return f.idle1 })),
				load.MiB(med(f.idle100)), load.Ratio(med(f.idle100), base(fig, p, func(f *figures) []float64 { return f.idle100 })),
				load.MiB(med(f.peak)),
				load.MiB(med(f.peakAnon)), load.Ratio(med(f.peakAnon), base(fig, p, func(f *figures) []float64 { return f.peakAnon })),
				load.MiB(med(f.peakFile))})
		}
		t.Write(w)
		fmt.Fprintln(w, "\n\"Scripts\" are botrun script files; for discordgo and discord.js, the same number of registered MESSAGE_CREATE handlers. The resident set is private memory (heap, stacks, written data: RssAnon) plus program pages (the executable's and libraries' code and read-only data, shared with the page cache: RssFile). The kernel keeps a peak for the sum only; the split is the highest of samples taken every 100 ms over the throughput run, so the two parts need not add up to the peak.")
	}
	if c.workloads["botrun"] || c.workloads["throughput"] {
		t := load.Table{Title: "botrun only", Columns: []string{"measure", "botrun (Lua)", "botrun (JS)"}}
		get := func(name string, pick func(*figures) []float64, format func(float64) string) string {
			if f, ok := fig[name]; ok {
				return format(med(pick(f)))
			}
			return ""
		}
		row := func(label string, pick func(*figures) []float64, format func(float64) string) {
			t.Rows = append(t.Rows, []string{label, get("botrun-lua", pick, format), get("botrun-js", pick, format)})
		}
		row("hot reload, save → new version answers, 1 script", func(f *figures) []float64 { return f.reload1 }, dur)
		row("hot reload, save → new version answers, 200 scripts", func(f *figures) []float64 { return f.reload200 }, dur)
		row("start-up → READY, 200 scripts", func(f *figures) []float64 { return f.ready200 }, dur)
		row("start-up → first answer, 200 scripts", func(f *figures) []float64 { return f.answer200 }, dur)
		row("per-event CPU, whole process (throughput)", func(f *figures) []float64 { return f.cpuPerEvent }, dur)
		t.Write(w)
		fmt.Fprintln(w, "\nPer-event CPU is the bot process's user+system CPU time over a throughput run divided by its events: WebSocket read, frame decoding, dispatch and the handler, garbage collection included.")
	}
	fmt.Fprintln(w, "\n"+ratioNote)
}
