package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile of the whole process to the file named
// by BOTRUN_CPUPROFILE, when it is set, so that a slow bot can be examined
// with `go tool pprof` without rebuilding botrun. The returned func stops
// the profile and closes the file; it must run before the process exits.
func startProfile(getenv func(string) string) (stop func(), err error) {
	path := getenv("BOTRUN_CPUPROFILE")
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("BOTRUN_CPUPROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("BOTRUN_CPUPROFILE: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
