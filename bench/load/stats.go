package load

import (
	"slices"
	"time"
)

// Percentile is the p-th percentile (0..100) of ds by the nearest-rank
// method; 0 for no samples. ds is sorted in place.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	rank := int(p/100*float64(len(ds))+0.999999) - 1
	rank = max(0, min(rank, len(ds)-1))
	return ds[rank]
}

// Median is the middle of xs (mean of the two middles for an even count);
// 0 for none. xs is not modified.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
