package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
)

// memProfileRate is the heap sampling interval used while BOTRUN_MEMPROFILE
// is set: botrun's heap is a few MiB, which Go's default of one sample per
// 512 KiB would describe with a handful of samples.
const memProfileRate = 4096

// profiles are the profiles named by the environment, so that a slow or
// large bot can be examined with `go tool pprof` without rebuilding
// botrun:
//
//   - BOTRUN_CPUPROFILE: a CPU profile of the whole process until it exits;
//   - BOTRUN_MEMPROFILE: a heap profile, written when shutdown begins
//     (before scripts are closed, so it shows what the running bot held) or
//     else when the process exits, after a garbage collection; it also
//     holds everything allocated since start (pprof -sample_index=alloc_space).
type profiles struct {
	cpu     *os.File
	mem     *os.File
	memOnce sync.Once
	memErr  error // from writing the heap profile; read after memOnce
}

// startProfile starts the profiles the environment asks for. Its result is
// never nil; stop must run before the process exits.
func startProfile(getenv func(string) string) (*profiles, error) {
	p := &profiles{}
	cpuPath, memPath := getenv("BOTRUN_CPUPROFILE"), getenv("BOTRUN_MEMPROFILE")
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err != nil {
			return nil, fmt.Errorf("BOTRUN_CPUPROFILE: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("BOTRUN_CPUPROFILE: %w", err)
		}
		p.cpu = f
	}
	if memPath == "" {
		// Nobody will read the heap profile: Go would otherwise record the
		// stack of an allocation every 512 KiB, about 1% of the CPU of an
		// event under a burst.
		runtime.MemProfileRate = 0
	} else {
		// Created now so that a bad path fails at start, not after a run.
		f, err := os.Create(memPath)
		if err != nil {
			if p.cpu != nil {
				pprof.StopCPUProfile()
				p.cpu.Close()
			}
			return nil, fmt.Errorf("BOTRUN_MEMPROFILE: %w", err)
		}
		p.mem = f
		runtime.MemProfileRate = memProfileRate
	}
	return p, nil
}

// heapSnapshot writes the heap profile, once; later calls do nothing. A
// nil receiver (no profiles, as in tests) is allowed.
func (p *profiles) heapSnapshot() {
	if p == nil || p.mem == nil {
		return
	}
	p.memOnce.Do(func() {
		runtime.GC() // the in-use figures are those of the last collection
		err := pprof.Lookup("heap").WriteTo(p.mem, 0)
		if cerr := p.mem.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			p.memErr = fmt.Errorf("BOTRUN_MEMPROFILE: %w", err)
		}
	})
}

// stop stops the CPU profile and writes the heap profile if shutdown did
// not already.
func (p *profiles) stop() error {
	var errs []error
	if p.cpu != nil {
		pprof.StopCPUProfile()
		if err := p.cpu.Close(); err != nil {
			errs = append(errs, fmt.Errorf("BOTRUN_CPUPROFILE: %w", err))
		}
	}
	p.heapSnapshot()
	errs = append(errs, p.memErr)
	return errors.Join(errs...)
}
