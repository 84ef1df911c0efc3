package js

import (
	"strings"

	"github.com/dop251/goja"
)

// String.prototype.startsWith with a fast path for the call handlers make
// on every event (content.startsWith("!ping ")). goja's version converts
// both strings to its internal string interface, which allocates for each
// ASCII string on every call; this one compares the strings in place. The
// fast path takes a primitive string receiver and one primitive string
// argument, and compares UTF-16 code units exactly as goja does; any other
// call (a position argument, a String object, a RegExp, a value needing
// conversion) goes to goja's own method, so results and errors are the
// same. Each replaced method costs an idle script about 1 KiB, so only
// this one, the one command handlers call per event, is replaced.

func (s *script) installStringMethods() {
	vm := s.vm
	strProto := vm.ToValue("").ToObject(vm).Prototype()
	s.fastStringMethod(strProto, "startsWith", hasPrefix)
}

// fastStringMethod replaces strProto[name] (an ES method of length 1)
// with test on the fast path and the original otherwise.
func (s *script) fastStringMethod(strProto *goja.Object, name string, test func(str, arg goja.String) bool) {
	vm := s.vm
	orig, ok := goja.AssertFunction(strProto.Get(name))
	if !ok {
		return
	}
	yes, no := vm.ToValue(true), vm.ToValue(false)
	fn := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		if len(call.Arguments) == 1 {
			str, ok1 := call.This.(goja.String)
			arg, ok2 := call.Arguments[0].(goja.String)
			if ok1 && ok2 {
				if test(str, arg) {
					return yes
				}
				return no
			}
		}
		v, err := orig(call.This, call.Arguments...)
		if err != nil {
			panic(err)
		}
		return v
	}).ToObject(vm)
	fn.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	fn.DefineDataProperty("length", vm.ToValue(1), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	strProto.DefineDataProperty(name, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// bothASCII returns the Go strings of a and b when both are goja ASCII
// strings, whose code units are their bytes.
func bothASCII(a, b goja.String) (string, string, bool) {
	if asciiStrTab == nil || typeWord(a) != asciiStrTab || typeWord(b) != asciiStrTab {
		return "", "", false
	}
	return a.String(), b.String(), true
}

func hasPrefix(str, pre goja.String) bool {
	if x, y, ok := bothASCII(str, pre); ok {
		return strings.HasPrefix(x, y)
	}
	n, l := pre.Length(), str.Length()
	if n > l {
		return false
	}
	for i := range n {
		if str.CharAt(i) != pre.CharAt(i) {
			return false
		}
	}
	return true
}
