package js

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// Size-checked built-ins. goja's Interrupt only takes effect between
// bytecode instructions, so a built-in that allocates in native code
// ("x".repeat(1e9)) runs to completion however long it takes and however
// much memory it needs. These replacements refuse results larger than
// Limits.MaxString (elements for arrays: maxArrayLen) with a RangeError
// before allocating. What cannot be hooked is listed in docs/limits.md.

// maxArrayLen is the largest array fill may produce.
func (s *script) maxArrayLen() int64 { return int64(s.lim.MaxString / 4) }

// budgetPoll is how many elements the join replacement handles between
// checks of the CPU budget.
const budgetPoll = 4096

func (s *script) installLimits() {
	vm := s.vm
	// The prototypes are reached through instances, not through the
	// String and Array constructors: goja builds a constructor (and its
	// static methods) only when first read, and an idle script that never
	// reads them should not pay for them.
	strProto := vm.ToValue("").ToObject(vm).Prototype()
	arrProto := vm.NewArray().Prototype()
	maxStr := int64(s.lim.MaxString)

	tooBig := func(fn string, n int64, limit int64, unit string) {
		panic(s.newError(s.rangeErrCtor, fmt.Sprintf("%s: result of %d %s exceeds the limit of %d", fn, n, unit, limit)))
	}
	wrap := func(proto *goja.Object, name string, check func(call goja.FunctionCall)) {
		orig, ok := goja.AssertFunction(proto.Get(name))
		if !ok {
			return
		}
		fn := vm.ToValue(func(call goja.FunctionCall) goja.Value {
			check(call)
			v, err := orig(call.This, call.Arguments...)
			if err != nil {
				panic(err)
			}
			return v
		})
		fn.ToObject(vm).DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		proto.DefineDataProperty(name, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}

	wrap(strProto, "repeat", func(call goja.FunctionCall) {
		n := call.Argument(0).ToInteger()
		l := strLen(call.This)
		if n > 0 && l > 0 && (n > maxStr || l*n > maxStr) {
			tooBig("String.prototype.repeat", l*min(n, maxStr+1), maxStr, "characters")
		}
	})
	pad := func(name string) func(goja.FunctionCall) {
		return func(call goja.FunctionCall) {
			if n := call.Argument(0).ToInteger(); n > maxStr {
				tooBig(name, n, maxStr, "characters")
			}
		}
	}
	wrap(strProto, "padStart", pad("String.prototype.padStart"))
	wrap(strProto, "padEnd", pad("String.prototype.padEnd"))

	wrap(arrProto, "fill", func(call goja.FunctionCall) {
		o := call.This.ToObject(vm)
		l := o.Get("length").ToInteger()
		if l > s.maxArrayLen() {
			tooBig("Array.prototype.fill", l, s.maxArrayLen(), "elements")
		}
	})
	join := vm.ToValue(s.join)
	join.ToObject(vm).DefineDataProperty("name", vm.ToValue("join"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	arrProto.DefineDataProperty("join", join, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)

	// Array(n), new Array(n) and arr.length = n only set a length and
	// allocate nothing; the passes that would allocate per element (fill,
	// join) are checked above. Iterating a huge sparse array (map,
	// forEach) costs CPU in native code; see docs/limits.md.
}

// strLen is the length of v as a string, without converting objects
// twice.
func strLen(v goja.Value) int64 {
	return int64(len(v.String()))
}

// join is Array.prototype.join building its result incrementally: it
// stops at Limits.MaxString and polls the CPU budget, so neither a huge
// result nor a huge sparse array runs unchecked.
func (s *script) join(call goja.FunctionCall) goja.Value {
	vm := s.vm
	o := call.This.ToObject(vm)
	for _, seen := range s.joining {
		if seen == o {
			return vm.ToValue("") // cycle, as in other engines
		}
	}
	s.joining = append(s.joining, o)
	defer func() { s.joining = s.joining[:len(s.joining)-1] }()

	sep := ","
	if a := call.Argument(0); !goja.IsUndefined(a) {
		sep = a.String()
	}
	n := o.Get("length").ToInteger()
	limit := s.lim.MaxString
	if n > 0 && int64(len(sep))*(n-1) > int64(limit) {
		panic(s.newError(s.rangeErrCtor, fmt.Sprintf("Array.prototype.join: result exceeds the limit of %d characters", limit)))
	}
	var b strings.Builder
	for i := int64(0); i < n; i++ {
		if i%budgetPoll == budgetPoll-1 && s.budgetTripped() {
			panic(s.newError(s.rangeErrCtor, "Array.prototype.join: interrupted: CPU budget exhausted"))
		}
		if i > 0 {
			b.WriteString(sep)
		}
		e := o.Get(strconv.FormatInt(i, 10))
		if e != nil && !goja.IsUndefined(e) && !goja.IsNull(e) {
			b.WriteString(e.String())
		}
		if b.Len() > limit {
			panic(s.newError(s.rangeErrCtor, fmt.Sprintf("Array.prototype.join: result exceeds the limit of %d characters", limit)))
		}
	}
	return vm.ToValue(b.String())
}
