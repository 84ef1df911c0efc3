package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// dropProgramPages removes from this process's page tables the pages of
// its own program file and shared libraries that are in memory, and
// returns how many bytes were resident in them before. Start-up runs every
// package's initialisation code, loads scripts and parses the
// configuration: code and tables the bot then rarely touches again, but
// which stayed mapped, and so counted in the resident set. The pages stay
// in the kernel's page cache, so those the bot needs again come back with
// a minor fault, without reading the disk.
//
// Only read-only mappings qualify, and only those without a private
// (copy-on-write) page: those hold what was written to the mapping, such as
// relocations, and dropping them would bring back the file's bytes. Only
// the program and its shared libraries qualify, because Go never unmaps
// them: a mapping the program could unmap (a database file) could be
// replaced at the same address by heap memory between reading the map and
// the madvise call.
func dropProgramPages() (int64, error) {
	exe, err := os.Stat("/proc/self/exe")
	if err != nil {
		return 0, fmt.Errorf("program file: %w", err)
	}
	st, ok := exe.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, fmt.Errorf("program file: no inode")
	}
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return 0, fmt.Errorf("read mappings: %w", err)
	}
	var dropped int64
	for _, m := range parseSmaps(smaps) {
		if m.perms[1] == 'w' || m.anon != 0 || m.rss == 0 {
			continue
		}
		if !(m.inode == st.Ino && m.dev == st.Dev) && !isSharedLib(m.path) {
			continue
		}
		_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, m.start, m.end-m.start, syscall.MADV_DONTNEED)
		if errno != 0 {
			return dropped, fmt.Errorf("madvise %s %x-%x: %w", m.path, m.start, m.end, errno)
		}
		dropped += m.rss
	}
	return dropped, nil
}

// isSharedLib reports whether path names a shared library (libc.so.6,
// ld-linux-x86-64.so.2).
func isSharedLib(path string) bool {
	base := path[strings.LastIndexByte(path, '/')+1:]
	return strings.HasSuffix(base, ".so") || strings.Contains(base, ".so.")
}

// mapping is one entry of /proc/self/smaps.
type mapping struct {
	start, end uintptr
	perms      string // "r-xp"
	dev        uint64
	inode      uint64
	path       string
	rss, anon  int64 // bytes
}

// parseSmaps reads the mappings with their Rss and Anonymous sizes. Lines
// it does not understand are skipped: a mapping whose header cannot be
// parsed is left out, never guessed at.
func parseSmaps(b []byte) []mapping {
	var out []mapping
	var cur *mapping
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if m, ok := parseMapHeader(f); ok {
			out = append(out, m)
			cur = &out[len(out)-1]
			continue
		}
		if cur == nil || len(f) < 3 || f[2] != "kB" {
			continue
		}
		kb, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		switch f[0] {
		case "Rss:":
			cur.rss = kb << 10
		case "Anonymous:":
			cur.anon = kb << 10
		}
	}
	return out
}

// parseMapHeader parses "start-end perms offset major:minor inode [path]".
func parseMapHeader(f []string) (mapping, bool) {
	if len(f) < 5 || strings.HasSuffix(f[0], ":") {
		return mapping{}, false
	}
	lo, hi, ok := strings.Cut(f[0], "-")
	if !ok || len(f[1]) != 4 {
		return mapping{}, false
	}
	start, err1 := strconv.ParseUint(lo, 16, 64)
	end, err2 := strconv.ParseUint(hi, 16, 64)
	major, minor, ok := strings.Cut(f[3], ":")
	maj, err3 := strconv.ParseUint(major, 16, 32)
	mnr, err4 := strconv.ParseUint(minor, 16, 32)
	inode, err5 := strconv.ParseUint(f[4], 10, 64)
	if !ok || err1 != nil || err2 != nil || err3 != nil || err4 != nil || err5 != nil || end <= start {
		return mapping{}, false
	}
	m := mapping{start: uintptr(start), end: uintptr(end), perms: f[1], dev: mkdev(maj, mnr), inode: inode}
	if len(f) >= 6 {
		m.path = strings.Join(f[5:], " ")
	}
	return m, true
}

// mkdev encodes a device number the way stat(2) reports it (glibc's
// makedev), so that it compares with Stat_t.Dev.
func mkdev(major, minor uint64) uint64 {
	return (major&0xfff)<<8 | (major&^0xfff)<<32 | (minor & 0xff) | (minor&^0xff)<<12
}
