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
	stop, err := startProfile(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if runtime.MemProfileRate != memProfileRate {
		t.Errorf("MemProfileRate = %d, want %d while BOTRUN_MEMPROFILE is set", runtime.MemProfileRate, memProfileRate)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
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
	stop, err := startProfile(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Errorf("no profiles: stop = %v", err)
	}
}
