package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestProfiles(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{
		"BOTRUN_CPUPROFILE": filepath.Join(dir, "cpu.prof"),
		"BOTRUN_MEMPROFILE": filepath.Join(dir, "mem.prof"),
	}
	rate := runtime.MemProfileRate
	defer func() { runtime.MemProfileRate = rate }()
	p, err := startProfile(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if runtime.MemProfileRate != memProfileRate {
		t.Errorf("MemProfileRate = %d, want %d while BOTRUN_MEMPROFILE is set", runtime.MemProfileRate, memProfileRate)
	}
	// Shutdown writes the heap profile; a later one must not overwrite it.
	p.heapSnapshot()
	first, err := os.ReadFile(env["BOTRUN_MEMPROFILE"])
	if err != nil || len(first) == 0 {
		t.Fatalf("heap profile after the snapshot: %d bytes, %v", len(first), err)
	}
	sink = make([]byte, 1<<20) // something a second profile would show
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(env["BOTRUN_MEMPROFILE"]); !bytes.Equal(again, first) {
		t.Error("stop rewrote the heap profile written at shutdown")
	}
	for _, name := range []string{"cpu.prof", "mem.prof"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		// pprof writes gzipped protocol buffers.
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n, err := io.Copy(io.Discard, zr); err != nil || n == 0 {
			t.Errorf("%s: %d bytes, %v", name, n, err)
		}
	}
}

func TestNoHeapSamplingWithoutMemProfile(t *testing.T) {
	rate := runtime.MemProfileRate
	defer func() { runtime.MemProfileRate = rate }()
	runtime.MemProfileRate = 512 << 10
	p, err := startProfile(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	defer p.stop()
	if runtime.MemProfileRate != 0 {
		t.Errorf("MemProfileRate = %d without BOTRUN_MEMPROFILE, want 0", runtime.MemProfileRate)
	}
}

func TestProfileErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "missing", "x.prof")
	for _, name := range []string{"BOTRUN_CPUPROFILE", "BOTRUN_MEMPROFILE"} {
		_, err := startProfile(func(k string) string {
			if k == name {
				return bad
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: err = %v, want one naming %s", name, bad, err, name)
		}
	}
	p, err := startProfile(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	p.heapSnapshot()
	if err := p.stop(); err != nil {
		t.Errorf("no profiles: stop = %v", err)
	}
	var none *profiles
	none.heapSnapshot() // an app without profiles (tests) may call it
}

// sink keeps an allocation alive past the compiler's view.
var sink []byte
