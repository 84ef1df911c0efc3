package js

import (
	"reflect"
	"unsafe"

	"github.com/dop251/goja"
)

// goja drops its value stack each time control returns to Go from the
// outermost call, so every event would grow a new stack from nothing
// (two or three allocations of a few hundred bytes, then garbage). The
// script keeps one small stack and lends it to goja before each entry
// into an idle VM; goja grows past it on its own when a handler needs
// more. goja has no API for this: lentStack finds the field once, and if
// a future goja renames or retypes it, lending is off and nothing else
// changes (BenchmarkHandlerAsync's allocation count shows it).

// lentStackSize is the lent stack's capacity in values: enough for a
// handler of ordinary depth.
const lentStackSize = 32

// vmStack returns goja's value stack field of vm, or nil when goja's
// layout is not the one expected.
func vmStack(vm *goja.Runtime) *[]goja.Value {
	rv := reflect.ValueOf(vm).Elem().FieldByName("vm")
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil
	}
	f := rv.Elem().FieldByName("stack")
	if !f.IsValid() || f.Kind() != reflect.Slice || f.Type().Elem() != reflect.TypeFor[goja.Value]() {
		return nil
	}
	return (*[]goja.Value)(unsafe.Pointer(f.UnsafeAddr()))
}

// lendStack gives goja the script's stack when the VM has none, that is
// when nothing is running.
func (s *script) lendStack() {
	if s.stack != nil && *s.stack == nil {
		*s.stack = s.stackBuf[:0]
	}
}

// reclaimStack clears the lent stack once goja has dropped it, so that
// it keeps no values alive between events.
func (s *script) reclaimStack() {
	if s.stack != nil && *s.stack == nil {
		// Only the slots in use: clearing a slot that is already nil
		// would still pay the collector's write barrier while it runs,
		// and a handler uses a few of the slots.
		buf := s.stackBuf[:cap(s.stackBuf)]
		for i := range buf {
			if buf[i] != nil {
				buf[i] = nil
			}
		}
	}
}
