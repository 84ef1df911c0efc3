package js

import (
	"encoding/binary"
	"reflect"
	"sync"
	"unsafe"

	"github.com/dop251/goja"
)

// Event strings reach scripts without allocating. Runtime.ToValue takes a
// Go string as an interface{} (one allocation for the boxed header) and
// then wraps it: short strings in goja's ASCII string type (a second
// allocation, boxing it again as a Value), longer ones in a lazily
// scanned wrapper that is allocated and then scans the whole text for
// non-ASCII characters on its first method call. Most event text is
// ASCII; for it the engine builds goja's ASCII string Value itself: a
// Value is an interface whose data word points at a string header, so
// the header can live in the view that caches the field. The check is
// one pass over the bytes, a word at a time.
//
// goja has no API for this. asciiTab finds the interface's type word
// once, from a Value goja built itself, and checks that the result reads
// back as the same string; if a future goja changes its string types
// the check fails and every string goes through ToValue as before
// (TestASCIIValue fails loudly).

var (
	asciiOnce sync.Once
	asciiTab  unsafe.Pointer // goja.Value's type word for its ASCII string type; nil: off
	// asciiStrTab is the same for goja.String (another interface, so
	// another type word); set with asciiTab.
	asciiStrTab unsafe.Pointer
)

// goValue is the layout of a non-empty interface value.
type goValue struct {
	tab  unsafe.Pointer
	data unsafe.Pointer
}

// initASCII finds the type word, once per process, using vm to build a
// reference value.
func initASCII(vm *goja.Runtime) {
	asciiOnce.Do(func() {
		ref := vm.ToValue("botrun")
		t := reflect.TypeOf(ref)
		if t == nil || t.Kind() != reflect.String || t.Name() != "asciiString" || t.PkgPath() != "github.com/dop251/goja" {
			return
		}
		tab := (*goValue)(unsafe.Pointer(&ref)).tab
		probe := "botrun probe"
		v := makeASCII(tab, &probe)
		if v.String() != probe || !v.StrictEquals(vm.ToValue(probe)) || v.ExportType() != reflect.TypeFor[string]() {
			return
		}
		str, ok := ref.(goja.String)
		if !ok {
			return
		}
		asciiTab, asciiStrTab = tab, typeWord(str)
	})
}

func makeASCII(tab unsafe.Pointer, p *string) goja.Value {
	var v goja.Value
	(*goValue)(unsafe.Pointer(&v)).tab = tab
	(*goValue)(unsafe.Pointer(&v)).data = unsafe.Pointer(p)
	return v
}

// asciiValue is the string at *p as a goja string Value sharing *p, or
// nil when the fast path is off or the string is not ASCII (the caller
// then uses ToValue). *p must never change afterwards.
func asciiValue(p *string) goja.Value {
	if asciiTab == nil || *p == "" || !isASCII(*p) {
		return nil
	}
	return makeASCII(asciiTab, p)
}

// isASCII reports whether s has only 7-bit bytes. Event text is often
// hundreds of bytes: 32 of them per step.
func isASCII(s string) bool {
	const high = 0x8080808080808080
	p := unsafe.Slice(unsafe.StringData(s), len(s))
	le := binary.LittleEndian
	for len(p) >= 32 {
		if (le.Uint64(p)|le.Uint64(p[8:])|le.Uint64(p[16:])|le.Uint64(p[24:]))&high != 0 {
			return false
		}
		p = p[32:]
	}
	for len(p) >= 8 {
		if le.Uint64(p)&high != 0 {
			return false
		}
		p = p[8:]
	}
	for _, c := range p {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// stringValue is s as a goja Value: ASCII text without conversion, in a
// header of its own (one small allocation instead of two), anything else
// through ToValue.
func (s *script) stringValue(str string) goja.Value {
	if asciiTab != nil && str != "" && isASCII(str) {
		p := new(string)
		*p = str
		return makeASCII(asciiTab, p)
	}
	return s.vm.ToValue(str)
}

// typeWord is the dynamic type word of v (an interface value).
func typeWord(v goja.String) unsafe.Pointer {
	return (*goValue)(unsafe.Pointer(&v)).tab
}
