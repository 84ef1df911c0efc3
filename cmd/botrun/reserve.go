package main

import "errors"

// The heap reserve keeps Go's scavenger from working against a burst.
//
// After each collection the Go runtime returns to the kernel the free heap
// pages above 110% of the heap in use at the end of the previous
// collection (its scavenger). A burst collects every few milliseconds
// over a heap of a few MiB whose peak varies from one cycle to the next
// by more than that 10%, so the scavenger hands back, at its full pace,
// pages the next cycle faults in again: on a virtual machine each
// madvise call takes 0.1–0.2 ms. With the burst floor, the Lua process
// of the throughput benchmark spent about 4% of its CPU in madvise alone.
//
// The reserve is one pointer-free block allocated while the heap is still
// small, so that it comes from memory the process never touched, and never
// written. The collector counts it as live, which raises the scavenger's
// 10% margin by a tenth of the reserve; the kernel never backs it with
// memory, so it costs address space, not resident memory. The burst tuner
// sets GOGC after every collection so that the heap goal stays where it
// would be without the reserve (Go's default outside bursts, the floor
// during one), and gives free pages back itself when a burst ends.
//
// Under a soft memory limit (heap_limit_mb, a container's limit,
// GOMEMLIMIT) the runtime counts the reserve against the limit, so the
// tuner raises the limit by the reserve's size while it holds one, and
// the heap watchdog leaves the reserve out of its readings: every limit
// still applies to the memory the bot uses.

// reserveFactor sizes the reserve: this many times the burst floor. The
// scavenger's margin then covers half the floor, which in the throughput
// benchmark stopped its work during the burst (twice the floor did not).
const reserveFactor = 4

// newHeapReserve allocates a reserve of size bytes, or says why it holds
// none:
//   - under a limit on the process's address space (ulimit -v), which the
//     reserve would count against;
//   - if the block came out resident (the allocator reused memory and
//     cleared it): kept, it would cost its whole size, so it is dropped.
func newHeapReserve(size int) ([]byte, error) {
	if addressSpaceLimited() {
		return nil, errors.New("the address space is limited (ulimit -v)")
	}
	b := make([]byte, size)
	if resident, ok := residentBytes(b); ok && resident > uint64(size)/8 {
		return nil, errors.New("the memory for it had been used before")
	}
	return b, nil
}
