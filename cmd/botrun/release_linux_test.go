package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// sink keeps reads of mapped pages from being optimised away.
var sink byte

func TestParseSmaps(t *testing.T) {
	in := `00400000-00c13000 r-xp 00000000 fe:00 10012180                           /tmp/my bot/botrun
Size:               8268 kB
Rss:                6412 kB
Anonymous:             0 kB
VmFlags: rd ex mr mw me dw sd
00c13000-01495000 r--p 00813000 103:02 42 /usr/lib/libc.so.6
Rss:                  12 kB
Anonymous:             4 kB
garbage line
zzzz-0000 r--p 0 0:0 0
2b54e2000000-2b54e2c00000 rw-p 00000000 00:00 0
Rss:                4248 kB
Anonymous:          4248 kB
`
	got := parseSmaps([]byte(in))
	want := []mapping{
		{start: 0x400000, end: 0xc13000, perms: "r-xp", dev: mkdev(0xfe, 0), inode: 10012180, path: "/tmp/my bot/botrun", rss: 6412 << 10},
		{start: 0xc13000, end: 0x1495000, perms: "r--p", dev: mkdev(0x103, 2), inode: 42, path: "/usr/lib/libc.so.6", rss: 12 << 10, anon: 4 << 10},
		{start: 0x2b54e2000000, end: 0x2b54e2c00000, perms: "rw-p", rss: 4248 << 10, anon: 4248 << 10},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d mappings, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("mapping %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestMkdevMatchesStat(t *testing.T) {
	var st syscall.Stat_t
	if err := syscall.Stat("/proc/self/exe", &st); err != nil {
		t.Fatal(err)
	}
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range parseSmaps(smaps) {
		if m.inode == st.Ino && m.dev == st.Dev {
			return
		}
	}
	t.Fatalf("no mapping of the test binary matches its stat device %x inode %d", st.Dev, st.Ino)
}

func TestIsSharedLib(t *testing.T) {
	for path, want := range map[string]bool{
		"/usr/lib/x86_64-linux-gnu/libc.so.6":              true,
		"/lib64/ld-linux-x86-64.so.2":                      true,
		"/opt/x/libfoo.so":                                 true,
		"/home/bot/.botrun/store.db":                       false,
		"/tmp/so.db":                                       false,
		"/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.so": true,
		"": false,
	} {
		if got := isSharedLib(path); got != want {
			t.Errorf("isSharedLib(%q) = %v, want %v", path, got, want)
		}
	}
}

// mapFile maps path privately and returns the mapping; the test unmaps it.
func mapFile(t *testing.T, path string, prot int) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := syscall.Mmap(int(f.Fd()), 0, 2*os.Getpagesize(), prot, syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Munmap(b) })
	return b
}

// rssOf is the resident size smaps reports for the mapping starting at b.
func rssOf(t *testing.T, b []byte) int64 {
	t.Helper()
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	for _, m := range parseSmaps(smaps) {
		if m.start == start {
			return m.rss
		}
	}
	t.Fatalf("no mapping at %x", start)
	return 0
}

func TestDropProgramPages(t *testing.T) {
	dir := t.TempDir()
	page := os.Getpagesize()
	content := []byte(strings.Repeat("A", 2*page))
	clean, written := filepath.Join(dir, "libclean.so"), filepath.Join(dir, "libwritten.so.1")
	for _, p := range []string{clean, written} {
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A read-only library mapping whose pages were read: dropped.
	c := mapFile(t, clean, syscall.PROT_READ)
	sink = c[0] + c[page]
	// A mapping with a copy-on-write page (as relocations make), then made
	// read-only: kept, or the written byte would revert to the file's.
	w := mapFile(t, written, syscall.PROT_READ|syscall.PROT_WRITE)
	w[0] = 'B'
	if err := syscall.Mprotect(w, syscall.PROT_READ); err != nil {
		t.Fatal(err)
	}
	if rssOf(t, c) == 0 {
		t.Fatal("the clean mapping is not resident before the drop; the test proves nothing")
	}

	dropped, err := dropProgramPages()
	if err != nil {
		t.Fatal(err)
	}
	if dropped <= 0 {
		t.Errorf("dropped %d bytes; the test binary's own pages should have been resident", dropped)
	}
	if got := rssOf(t, c); got != 0 {
		t.Errorf("clean library mapping still has %d bytes resident", got)
	}
	if w[0] != 'B' {
		t.Errorf("copy-on-write page lost its write: %q", w[0])
	}
	if c[page] != 'A' {
		t.Errorf("dropped page reads back %q, want the file's byte", c[page])
	}
}
