package js

import (
	"reflect"
	"unsafe"

	"github.com/dop251/goja"
)

// resetStacks repairs goja after an uncatchable error (interrupt, stack
// overflow) unwound through an async function or generator frame: goja
// leaves that frame on its internal call and try stacks, and from then on
// believes it is still inside a call, so promise jobs never run again and
// every later await in the script hangs. Between invocations nothing runs
// on the VM and these stacks must be empty, so emptying them is exactly
// the state a clean return leaves. goja has no API for it; if a future
// goja renames the fields this does nothing (and the engine tests that
// await after a CPU overrun fail loudly).
func resetStacks(vm *goja.Runtime) {
	rv := reflect.ValueOf(vm).Elem().FieldByName("vm")
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() {
		return
	}
	inner := rv.Elem()
	for _, name := range [...]string{"callStack", "iterStack", "refStack", "tryStack"} {
		f := inner.FieldByName(name)
		if !f.IsValid() || f.Kind() != reflect.Slice {
			continue
		}
		f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
		f.SetLen(0)
	}
}
