package commands

import "time"

// Clock is the time source for debouncing and interaction deadlines. Tests
// inject a manual clock so no test sleeps through a 2.5 s deadline.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f on a goroutine of the clock's choosing after d.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call.
type Timer interface {
	// Stop prevents the call if it has not started; it reports whether it
	// did so.
	Stop() bool
}

type realClock struct{}

func (realClock) Now() time.Time                            { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// RealClock is the wall clock.
func RealClock() Clock { return realClock{} }
