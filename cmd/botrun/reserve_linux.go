package main

import (
	"os"
	"runtime"
	"syscall"
	"unsafe"
)

// residentBytes is how much of b the kernel holds in memory (mincore(2)),
// in whole pages; ok is false if that cannot be told.
func residentBytes(b []byte) (n uint64, ok bool) {
	if len(b) == 0 {
		return 0, true
	}
	page := uintptr(os.Getpagesize())
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b))) &^ (page - 1)
	end := uintptr(unsafe.Pointer(unsafe.SliceData(b))) + uintptr(len(b))
	vec := make([]byte, (end-start+page-1)/page)
	if _, _, errno := syscall.Syscall(syscall.SYS_MINCORE, start, end-start, uintptr(unsafe.Pointer(unsafe.SliceData(vec)))); errno != 0 {
		return 0, false
	}
	runtime.KeepAlive(b) // start is a plain number to the collector
	for _, v := range vec {
		if v&1 != 0 {
			n += uint64(page)
		}
	}
	return n, true
}
