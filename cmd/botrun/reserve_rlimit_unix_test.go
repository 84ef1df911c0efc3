//go:build unix

package main

import (
	"syscall"
	"testing"
)

func TestAddressSpaceLimited(t *testing.T) {
	var prev syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &prev); err != nil {
		t.Skip(err)
	}
	if prev.Cur < 1<<62 {
		if !addressSpaceLimited() {
			t.Fatalf("address space limited to %d bytes, yet not reported", prev.Cur)
		}
		t.Skip("this process runs under an address-space limit already")
	}
	if addressSpaceLimited() {
		t.Fatal("no address-space limit, yet one reported")
	}
	// 2^61 bytes is a limit, yet more than any address space (even the
	// race detector's shadow memory), so nothing else in the process can
	// run into it.
	lim := syscall.Rlimit{Cur: 1 << 61, Max: prev.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &lim); err != nil {
		t.Skip(err)
	}
	defer func() {
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, &prev); err != nil {
			t.Errorf("restoring the address-space limit: %v", err)
		}
	}()
	if !addressSpaceLimited() {
		t.Error("under an address-space limit, none reported")
	}
	if _, err := newHeapReserve(1 << 20); err == nil {
		t.Error("a heap reserve under an address-space limit")
	}
}
