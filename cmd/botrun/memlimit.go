package main

import (
	"bufio"
	"bytes"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
)

// defaultMemoryLimit is the soft memory limit botrun sets when neither
// heap_limit_mb nor GOMEMLIMIT is: 90% of the memory limit of the cgroup
// (container, systemd unit) botrun runs in, so that the garbage collector
// works harder as a burst approaches the limit instead of the process being
// killed at it. It returns 0 where there is no such limit. root is the file
// system root ("/"; tests pass a directory laid out like /proc and /sys).
func defaultMemoryLimit(getenv func(string) string, root string) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return 0 // the Go runtime applied it already; "off" means off
	}
	max := cgroupMemoryMax(root)
	if max <= 0 {
		return 0
	}
	// The other 10% is left for what the soft limit does not count
	// (program pages, the kernel's buffers) before the OOM killer acts.
	return max / 10 * 9
}

// applySoftLimit sets the Go soft memory limit for a session:
// heap_limit_mb (heapLimitMB) when set, otherwise a container's
// (defaultMemoryLimit). GOMEMLIMIT is in effect from the start.
func applySoftLimit(heapLimitMB int, getenv func(string) string, root string, log *slog.Logger) {
	if heapLimitMB > 0 {
		// The watchdog interrupts scripts when the heap still reaches
		// 75% of it.
		debug.SetMemoryLimit(int64(heapLimitMB) << 20)
		return
	}
	applyDefaultMemoryLimit(getenv, root, log)
}

// applyDefaultMemoryLimit sets defaultMemoryLimit, if there is one, as the
// Go soft memory limit and returns it.
func applyDefaultMemoryLimit(getenv func(string) string, root string, log *slog.Logger) int64 {
	limit := defaultMemoryLimit(getenv, root)
	if limit > 0 {
		debug.SetMemoryLimit(limit)
		log.Info("Go soft memory limit set to 90% of the container's memory limit (GOMEMLIMIT or heap_limit_mb override it)",
			"limit_mib", limit>>20)
	}
	return limit
}

// cgroupMemoryMax is the smallest memory limit on the path from this
// process's cgroup up to the root of the hierarchy, in bytes; 0 when there
// is none or it cannot be read. It reads cgroup v2 (memory.max) and v1
// (memory.limit_in_bytes).
func cgroupMemoryMax(root string) int64 {
	b, err := os.ReadFile(filepath.Join(root, "proc/self/cgroup"))
	if err != nil {
		return 0
	}
	var limit int64
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		// hierarchy-ID:controller-list:cgroup-path
		f := strings.SplitN(sc.Text(), ":", 3)
		if len(f) != 3 || !strings.HasPrefix(f[2], "/") {
			continue
		}
		var dir, file string
		switch {
		case f[0] == "0" && f[1] == "":
			dir, file = "sys/fs/cgroup", "memory.max"
		case hasController(f[1], "memory"):
			dir, file = "sys/fs/cgroup/memory", "memory.limit_in_bytes"
		default:
			continue
		}
		for p := path.Clean(f[2]); ; p = path.Dir(p) {
			if n := readLimit(filepath.Join(root, dir, p, file)); n > 0 && (limit == 0 || n < limit) {
				limit = n
			}
			if p == "/" {
				break
			}
		}
	}
	return limit
}

func hasController(list, name string) bool {
	for _, c := range strings.Split(list, ",") {
		if c == name {
			return true
		}
	}
	return false
}

// readLimit reads one limit file: "max" (v2) and v1's near-2^63 "no limit"
// both read as 0.
func readLimit(file string) int64 {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n <= 0 || n >= 1<<62 {
		return 0
	}
	return n
}
