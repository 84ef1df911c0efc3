package load

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// CPUTimes is the whole machine's CPU time so far, all cores, in clock
// ticks, from the "cpu" line of /proc/stat.
type CPUTimes struct {
	Idle  uint64 // idle and iowait
	Total uint64 // user, nice, system, idle, iowait, irq, softirq, steal
}

// ReadCPUTimes reads the machine's CPU times.
func ReadCPUTimes() (CPUTimes, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return CPUTimes{}, fmt.Errorf("machine cpu times: %w", err)
	}
	return parseCPUTimes(string(b))
}

func parseCPUTimes(stat string) (CPUTimes, error) {
	line, _, _ := strings.Cut(stat, "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return CPUTimes{}, errors.New("machine cpu times: /proc/stat does not start with a cpu line of 8 times")
	}
	var t CPUTimes
	for i, s := range f[1:9] {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return CPUTimes{}, fmt.Errorf("machine cpu times: field %d: %w", i+1, err)
		}
		t.Total += v
		if i == 3 || i == 4 { // idle, iowait
			t.Idle += v
		}
	}
	return t, nil
}

// IdleShare is the share (0..1) of the machine's CPU time that was idle
// from a to b; -1 when no time passed.
func IdleShare(a, b CPUTimes) float64 {
	if b.Total <= a.Total {
		return -1
	}
	return float64(b.Idle-a.Idle) / float64(b.Total-a.Total)
}
