package js

import (
	"slices"

	"github.com/dop251/goja"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine/jsondoc"
)

// Event data is shared by every script it reaches, so scripts get lazy
// read-only views of it: a field is converted when first read and cached
// in the view, so msg.author === msg.author and an untouched field costs
// nothing. Writes fail (TypeError in strict code, ignored otherwise). The
// views enumerate their keys, so Object.keys, JSON.stringify and spread
// work; spread is the way to get a mutable copy.

// objView is a JSON object, optionally with the methods and computed
// fields of a bindings.Object.
type objView struct {
	s       *script
	v       jsondoc.Value    // Invalid for objects without data (handles)
	obj     *bindings.Object // nil for plain data, and for an event until object makes it
	methods *methodSet
	// The fields read so far: the first two inline, since every byte of
	// a view is garbage each event pays for (in allocation and
	// collection) and a handler reads few fields of each object; then
	// more, allocated on the third.
	first [viewInline]viewField
	n     uint8
	// ns is how many of strs hold the header of an ASCII string field
	// (see asciiValue): the first string field read costs no allocation.
	ns   uint8
	strs [viewStrings]string
	more *moreFields
	// spare, if not nil, is storage for the view of the first nested
	// object read (an event's msg.author), allocated with this view.
	spare *objView
}

// viewInline is how many fields a view caches in itself.
const viewInline = 2

// viewStrings is how many string fields a view converts without
// allocating: a handler reads one (content); others cost 16 bytes each.
const viewStrings = 1

// moreFields caches the fields of a view past the inline ones: a few in
// place, then a map.
type moreFields struct {
	first [4]viewField
	n     int
	m     map[string]goja.Value
}

// rootView is an event's root view and the view of its first nested
// object, in one allocation per event.
type rootView struct {
	objView
	kid objView
}

type viewField struct {
	key string
	val goja.Value
}

func (s *script) objectView(obj *bindings.Object, root jsondoc.Value) goja.Value {
	return s.newObjView(&objView{s: s, v: root, obj: obj})
}

// newObjView finishes ov (its methods) and wraps it.
func (s *script) newObjView(ov *objView) goja.Value {
	if ov.obj != nil && ov.obj.Kind != "" {
		ov.methods = s.methodSet(ov.obj.Kind)
	}
	return s.vm.NewDynamicObject(ov)
}

// methodSet is bindings.Methods of a kind, with a filter that answers
// most misses without hashing: a view looks up every field a script reads
// among the methods first.
type methodSet struct {
	kind string
	fns  map[string]bindings.Func
	mask uint64 // keyBit of every method name
}

func newMethodSet(kind string, fns map[string]bindings.Func) *methodSet {
	m := &methodSet{kind: kind, fns: fns}
	for k := range fns {
		m.mask |= keyBit(k)
	}
	return m
}

// keyBit sorts keys into 64 classes by length and first byte.
func keyBit(k string) uint64 {
	if k == "" {
		return 1
	}
	return 1 << ((uint(len(k))*7 + uint(k[0])) & 63)
}

// lookup is the method named key. m may be nil (no methods).
func (m *methodSet) lookup(key string) (bindings.Func, bool) {
	if m == nil || m.mask&keyBit(key) == 0 {
		return bindings.Func{}, false
	}
	f, ok := m.fns[key]
	return f, ok
}

// methodSet caches the method sets per kind for the script; the last one
// asked for is kept aside, since a script mostly sees one kind of event.
func (s *script) methodSet(kind string) *methodSet {
	if kind == s.lastKind && s.lastMethods != nil {
		return s.lastMethods
	}
	if s.methodSets == nil {
		s.methodSets = map[string]*methodSet{}
	}
	m, ok := s.methodSets[kind]
	if !ok {
		m = newMethodSet(kind, bindings.Methods(kind))
		s.methodSets[kind] = m
	}
	s.lastKind, s.lastMethods = kind, m
	return m
}

// view wraps a document value: containers lazily, scalars directly.
func (s *script) view(v jsondoc.Value) goja.Value { return s.viewOf(v, v.Kind()) }

// viewOf is view of v of kind k, for a caller that knows it already.
func (s *script) viewOf(v jsondoc.Value, k jsondoc.Kind) goja.Value {
	switch k {
	case jsondoc.Object:
		return s.vm.NewDynamicObject(&objView{s: s, v: v})
	case jsondoc.Array:
		return s.vm.NewDynamicArray(&arrView{s: s, v: v})
	default:
		return s.scalarOf(v, k)
	}
}

// object is the view's bindings.Object. An event's root view has methods
// but makes its Object only when first needed (a method read, the view
// passed to a binding): most handlers never need it. Its Raw is the
// document's own bytes, not the delivery's, which the reader may reuse
// while a script keeps the view.
func (o *objView) object() *bindings.Object {
	if o.obj == nil && o.methods != nil {
		o.obj = &bindings.Object{Kind: o.methods.kind, Raw: o.v.Raw()}
	}
	return o.obj
}

func (o *objView) Get(key string) goja.Value {
	if v, ok := o.cached(key); ok {
		return v
	}
	var out goja.Value
	if f, ok := o.methods.lookup(key); ok {
		out = o.s.bindingFunc(f, o.object())
	} else if x, ok := o.extra(key); ok {
		out = o.s.toJS(x)
	} else if fv, ok := o.v.Get(key); ok {
		out = o.fieldValue(fv)
	} else {
		return nil
	}
	o.remember(key, out)
	return out
}

// fieldValue is view, keeping the header of an ASCII string in the view
// and using the spare view storage for an object.
func (o *objView) fieldValue(fv jsondoc.Value) goja.Value {
	k := fv.Kind()
	switch k {
	case jsondoc.String:
		if int(o.ns) < len(o.strs) {
			break
		}
		return o.s.viewOf(fv, k)
	case jsondoc.Object:
		if kid := o.spare; kid != nil {
			o.spare = nil
			kid.s, kid.v = o.s, fv
			return o.s.vm.NewDynamicObject(kid)
		}
		return o.s.viewOf(fv, k)
	default:
		return o.s.viewOf(fv, k)
	}
	p := &o.strs[o.ns]
	*p = fv.Str()
	if v := asciiValue(p); v != nil {
		o.ns++
		return v
	}
	*p = ""
	return o.s.viewOf(fv, k)
}

func (o *objView) cached(key string) (goja.Value, bool) {
	for i := range int(o.n) {
		if o.first[i].key == key {
			return o.first[i].val, true
		}
	}
	if o.more == nil {
		return nil, false
	}
	for i := range o.more.n {
		if o.more.first[i].key == key {
			return o.more.first[i].val, true
		}
	}
	v, ok := o.more.m[key]
	return v, ok
}

func (o *objView) remember(key string, v goja.Value) {
	if int(o.n) < len(o.first) {
		o.first[o.n] = viewField{key, v}
		o.n++
		return
	}
	if o.more == nil {
		o.more = &moreFields{}
	}
	m := o.more
	if m.n < len(m.first) {
		m.first[m.n] = viewField{key, v}
		m.n++
		return
	}
	if m.m == nil {
		m.m = make(map[string]goja.Value, 4)
	}
	m.m[key] = v
}

func (o *objView) extra(key string) (any, bool) {
	if o.obj == nil || o.obj.Extra == nil {
		return nil, false
	}
	x, ok := o.obj.Extra[key]
	return x, ok
}

func (o *objView) Has(key string) bool {
	if _, ok := o.methods.lookup(key); ok {
		return true
	}
	if _, ok := o.extra(key); ok {
		return true
	}
	_, ok := o.v.Get(key)
	return ok
}

// Keys lists data fields then computed ones; methods are not listed, so
// JSON.stringify and Object.keys show the data only.
func (o *objView) Keys() []string {
	n := o.v.Len()
	keys := make([]string, 0, n+len(o.extraKeys()))
	for i := 0; i < n; i++ {
		k, _ := o.v.Field(i)
		if _, shadowed := o.extra(k); shadowed {
			continue
		}
		keys = append(keys, k)
	}
	return append(keys, o.extraKeys()...)
}

func (o *objView) extraKeys() []string {
	if o.obj == nil || len(o.obj.Extra) == 0 {
		return nil
	}
	keys := make([]string, 0, len(o.obj.Extra))
	for k := range o.obj.Extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (o *objView) Set(string, goja.Value) bool { return false }
func (o *objView) Delete(key string) bool      { return !o.Has(key) }

// arrView is a JSON array.
type arrView struct {
	s     *script
	v     jsondoc.Value
	cache []goja.Value
}

func (a *arrView) Len() int { return a.v.Len() }

func (a *arrView) Get(i int) goja.Value {
	if i < 0 || i >= a.v.Len() {
		return nil
	}
	if a.cache == nil {
		a.cache = make([]goja.Value, a.v.Len())
	}
	if a.cache[i] == nil {
		a.cache[i] = a.s.view(a.v.Index(i))
	}
	return a.cache[i]
}

func (a *arrView) Set(int, goja.Value) bool { return false }
func (a *arrView) SetLen(int) bool          { return false }
