package js

import "time"

// monoBase anchors monoNow.
var monoBase = time.Now()

// monoNow is the clock of the CPU budgets. Every handler call reads the
// clock twice, and time.Now reads the wall clock as well as the
// monotonic one, which on some virtual machines costs several times
// more; budgets only ever subtract two readings, so the monotonic clock
// alone (time.Since) is enough. The result carries a monotonic reading,
// so Sub between two of them is exact.
func monoNow() time.Time { return monoBase.Add(time.Since(monoBase)) }
