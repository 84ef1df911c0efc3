//go:build unix

package main

import "syscall"

// addressSpaceLimited says whether the process's address space is limited
// (RLIMIT_AS, ulimit -v).
func addressSpaceLimited() bool {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &l); err != nil {
		return true // cannot tell: do not risk it
	}
	// "Unlimited" is all ones on Linux and 2^63-1 on the BSDs and macOS.
	return l.Cur < 1<<62
}
