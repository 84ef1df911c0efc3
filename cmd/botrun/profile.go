package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// memProfileRate is the heap sampling interval used while BOTRUN_MEMPROFILE
// is set: botrun's heap is a few MiB, which Go's default of one sample per
// 512 KiB would describe with a handful of samples.
const memProfileRate = 4096

// startProfile starts the profiles named by the environment, so that a slow
// or large bot can be examined with `go tool pprof` without rebuilding
// botrun:
//
//   - BOTRUN_CPUPROFILE: a CPU profile of the whole process until it exits;
//   - BOTRUN_MEMPROFILE: a heap profile written when the process exits,
//     after a garbage collection, holding both what is still in use and
//     everything allocated since start (pprof -sample_index=alloc_space).
//
// The returned func stops the profiles and writes them; it must run before
// the process exits.
func startProfile(getenv func(string) string) (stop func() error, err error) {
	cpuPath, memPath := getenv("BOTRUN_CPUPROFILE"), getenv("BOTRUN_MEMPROFILE")
	var cpu *os.File
	if cpuPath != "" {
		cpu, err = os.Create(cpuPath)
		if err != nil {
			return nil, fmt.Errorf("BOTRUN_CPUPROFILE: %w", err)
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			return nil, fmt.Errorf("BOTRUN_CPUPROFILE: %w", err)
		}
	}
	var mem *os.File
	if memPath != "" {
		// Created now so that a bad path fails at start, not after a run.
		mem, err = os.Create(memPath)
		if err != nil {
			if cpu != nil {
				pprof.StopCPUProfile()
				cpu.Close()
			}
			return nil, fmt.Errorf("BOTRUN_MEMPROFILE: %w", err)
		}
		runtime.MemProfileRate = memProfileRate
	}
	return func() error {
		var errs []error
		if cpu != nil {
			pprof.StopCPUProfile()
			if err := cpu.Close(); err != nil {
				errs = append(errs, fmt.Errorf("BOTRUN_CPUPROFILE: %w", err))
			}
		}
		if mem != nil {
			runtime.GC() // the in-use figures are those of the last GC
			err := pprof.Lookup("heap").WriteTo(mem, 0)
			if cerr := mem.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("BOTRUN_MEMPROFILE: %w", err))
			}
		}
		return errors.Join(errs...)
	}, nil
}
