package load

import (
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		out := make([]time.Duration, len(xs))
		for i, x := range xs {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		name string
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median odd unsorted", ms(5, 1, 3), 50, 3 * time.Millisecond},
		{"p99 of 100", ms(func() []int {
			xs := make([]int, 100)
			for i := range xs {
				xs[i] = 100 - i
			}
			return xs
		}()...), 99, 99 * time.Millisecond},
		{"max", ms(4, 9, 2), 100, 9 * time.Millisecond},
		{"min rank", ms(4, 9, 2), 0, 2 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.in, tt.p); got != tt.want {
				t.Fatalf("Percentile(p%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{9, 1, 5}, 5}, {[]float64{4, 1, 3, 2}, 2.5}}
	for _, tt := range tests {
		in := append([]float64(nil), tt.in...)
		if got := Median(in); got != tt.want {
			t.Errorf("Median(%v) = %v, want %v", tt.in, got, tt.want)
		}
		for i := range in {
			if in[i] != tt.in[i] {
				t.Fatalf("Median modified its input: %v", in)
			}
		}
	}
}

func TestTableMarksMissing(t *testing.T) {
	var b strings.Builder
	tb := Table{Title: "T", Columns: []string{"peer", "events/s", "ratio"}, Rows: [][]string{{"botrun", "100", "1.00×"}, {"other", ""}}}
	if err := tb.Write(&b); err != nil {
		t.Fatal(err)
	}
	want := "\n### T\n\n| peer | events/s | ratio |\n| --- | --- | --- |\n| botrun | 100 | 1.00× |\n| other | n/a | n/a |\n"
	if b.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", b.String(), want)
	}
	if Ratio(0, 3) != "" || Ratio(3, 2) != "1.50×" || Ratio(1, 400) != "0.003×" || MiB(3<<20) != "3.0 MiB" || MiB(0) != "" {
		t.Fatal("formatting helpers")
	}
}

func TestEventsFor(t *testing.T) {
	tests := []struct {
		events  int
		elapsed time.Duration
		target  time.Duration
		want    int
	}{
		{100_000, time.Second, 5 * time.Second, 625_000},           // 100k/s for 5 s, a quarter to spare
		{10_000, 100 * time.Millisecond, 5 * time.Second, 625_000}, // the same rate from a short run
		{1_000_000, time.Second, 10 * time.Second, MaxThroughputEvents},
	}
	for _, tt := range tests {
		if got := EventsFor(Throughput{Events: tt.events, Elapsed: tt.elapsed}, tt.target); got != tt.want {
			t.Errorf("EventsFor(%d in %v, %v) = %d, want %d", tt.events, tt.elapsed, tt.target, got, tt.want)
		}
	}
}
