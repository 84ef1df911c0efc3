package lua

import (
	"encoding/json"

	lua "github.com/yuin/gopher-lua"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine/jsondoc"
)

// view is a read-only window on a jsondoc value: event data is parsed once
// in Go and shared; a handler converts only the fields it reads.
//
// A root view may carry an Object: its Kind's methods (msg:reply) and its
// Extra fields (ix.options) are layered over the data, methods first.
// Nested views carry nothing else, so that each costs one small
// allocation.
type view struct {
	v  jsondoc.Value
	ob *objState // nil for nested data
}

// objState is what a root view adds over its data. A message event's
// view has nothing of its own beyond its data and points to its kind's
// shared state, so that it costs one 64-byte allocation like a nested
// view; interactions and binding results carry their own.
type objState struct {
	kind *kindSet
	// more is the Object and its Extra fields; nil in a kind's shared
	// state, whose views build their Object from their data when a
	// method needs it.
	more *objMore
}

// objMore is the rarely needed part of a root view.
type objMore struct {
	obj    *bindings.Object
	extras func() map[string]any // computed on first use, then cached in extra
	extra  map[string]any
	conv   map[string]lua.LValue // converted Extra values, so ix.options is one table
}

// kindSet is an Object kind's methods as the script sees them, shared by
// all its views of the kind.
type kindSet struct {
	name    string
	built   bool
	methods []namedValue // a handful: scanning them beats hashing every key read
	shared  objState     // the state of its event views that need none of their own
}

type namedValue struct {
	name string
	v    lua.LValue
}

// lookupMethod returns ks's method called name, building the set on first use.
func (s *script) lookupMethod(ks *kindSet, name string) (lua.LValue, bool) {
	if !ks.built {
		ks.built = true
		for n, v := range s.methodSet(ks.name) {
			ks.methods = append(ks.methods, namedValue{n, v})
		}
	}
	for i := range ks.methods {
		if ks.methods[i].name == name {
			return ks.methods[i].v, true
		}
	}
	return nil, false
}

// kindOf returns the script's shared method set of kind.
func (s *script) kindOf(kind string) *kindSet {
	ks, ok := s.kinds[kind]
	if !ok {
		ks = &kindSet{name: kind}
		ks.shared.kind = ks
		if s.kinds == nil {
			s.kinds = map[string]*kindSet{}
		}
		s.kinds[kind] = ks
	}
	return ks
}

// fieldCache is the last field read from a view and its value: `msg.author
// and msg.author.bot` builds the author view once, and `msg.content`
// read twice boxes the string once. Views are immutable, so the same
// value is as good as a new one.
type fieldCache struct {
	vw  *view
	key string
	val lua.LValue
}

// set stores field by field: a struct copy would take the runtime's bulk
// write barrier while the collector runs, which is often.
func (c *fieldCache) set(vw *view, key string, val lua.LValue) {
	c.vw = vw
	c.key = key
	c.val = val
}

// maxSafeInt is the largest integer a Lua number (float64) holds exactly.
const maxSafeInt = 1 << 53

// viewBox holds a view and the userdata that shows it to scripts in one
// allocation: a handler reading msg.author.bot builds two of them.
type viewBox struct {
	ud lua.LUserData
	vw view
}

// objBox is a root view and its state, in one allocation.
type objBox struct {
	viewBox
	st objState
}

func (s *script) newView(v jsondoc.Value, obj *bindings.Object) *lua.LUserData {
	if obj == nil {
		b := &viewBox{vw: view{v: v}}
		return s.initBox(b)
	}
	b := &objBox{st: objState{kind: s.kindOf(obj.Kind), more: &objMore{obj: obj}}}
	b.vw = view{v: v, ob: &b.st}
	return s.initBox(&b.viewBox)
}

func (s *script) initBox(b *viewBox) *lua.LUserData {
	b.ud = lua.LUserData{Value: &b.vw, Env: s.L.Env, Metatable: s.viewMT}
	return &b.ud
}

// docValue converts one JSON value for a script: scalars directly,
// containers as views. null is nil. Numbers beyond ±2^53 are strings of
// their JSON text, so that no digit is lost (ids are strings already).
func (s *script) docValue(v jsondoc.Value) lua.LValue {
	switch v.Kind() {
	case jsondoc.Bool:
		return lua.LBool(v.Bool())
	case jsondoc.Number:
		return numberText(v.NumberText())
	case jsondoc.String:
		return lua.LString(v.Str())
	case jsondoc.Array, jsondoc.Object:
		return s.newView(v, nil)
	}
	return lua.LNil
}

// eventBox is a message event's view and room for the first view read
// from it (msg.author, which nearly every handler reads to skip bots), in
// one allocation. A view kept by the script keeps the other alive too:
// 64 bytes.
type eventBox struct {
	root  viewBox
	first viewBox
}

// fieldValue is docValue for field f of vw: the first container read
// from the event being delivered takes the room left in its box.
func (s *script) fieldValue(vw *view, f jsondoc.Value) lua.LValue {
	if vw == s.firstOf {
		if k := f.Kind(); k == jsondoc.Array || k == jsondoc.Object {
			b := s.first
			s.first, s.firstOf = nil, nil
			b.vw = view{v: f}
			return s.initBox(b)
		}
	}
	return s.docValue(f)
}

func toView(v lua.LValue) *view {
	if ud, ok := v.(*lua.LUserData); ok {
		if vw, ok := ud.Value.(*view); ok {
			return vw
		}
	}
	return nil
}

// objectOf returns the Object behind a root view (the receiver of a
// method call), or nil.
func (s *script) objectOf(v lua.LValue) *bindings.Object {
	if vw := toView(v); vw != nil && vw.ob != nil {
		m := vw.objMore()
		if m.extras != nil && m.extra == nil {
			m.extra = m.extras()
			m.obj.Extra = m.extra
		}
		return m.obj
	}
	return nil
}

// lazyObj is an event's Object and its state, in one allocation.
type lazyObj struct {
	more objMore
	obj  bindings.Object
}

// objMore returns a root view's Object and Extra fields. A view in its
// kind's shared state gets a new Object of its own data for each method
// call: the document outlives the delivery, the delivery's buffers may
// not.
func (vw *view) objMore() *objMore {
	ob := vw.ob
	if ob.more != nil {
		return ob.more
	}
	lz := &lazyObj{obj: bindings.Object{Kind: ob.kind.name, Raw: vw.v.Raw()}}
	lz.more.obj = &lz.obj
	return &lz.more
}

func (s *script) newViewMT() *lua.LTable {
	L := s.L
	mt := L.CreateTable(0, 5)
	mt.RawSetString("__index", L.NewFunction(s.viewIndex))
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("event data is read-only (copy it with json.copy(value) to change it)")
		return 0
	}))
	mt.RawSetString("__len", L.NewFunction(func(L *lua.LState) int {
		vw := toView(L.Get(1))
		n := 0
		if vw != nil && vw.v.Kind() == jsondoc.Array {
			n = vw.v.Len()
		}
		L.Push(lua.LNumber(n))
		return 1
	}))
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		vw := toView(L.Get(1))
		if vw == nil {
			L.Push(lua.LString("view"))
			return 1
		}
		switch raw := vw.v.Raw(); {
		case raw != nil:
			L.Push(lua.LString(raw))
		case vw.ob != nil:
			L.Push(lua.LString(vw.ob.kind.name))
		default:
			L.Push(lua.LString("view"))
		}
		return 1
	}))
	mt.RawSetString("__metatable", lua.LString("read-only"))
	return mt
}

func (s *script) viewIndex(L *lua.LState) int {
	vw := toView(L.Get(1))
	if vw == nil {
		return 0
	}
	switch k := L.Get(2).(type) {
	case lua.LString:
		key := string(k)
		if c := &s.lastView; c.vw == vw && c.key == key {
			L.Push(c.val)
			return 1
		}
		if c := &s.lastStr; c.vw == vw && c.key == key {
			L.Push(c.val)
			return 1
		}
		if ob := vw.ob; ob != nil {
			if ob.kind.name != "" {
				if m, ok := s.lookupMethod(ob.kind, key); ok {
					L.Push(m)
					return 1
				}
			}
			if ob.more != nil {
				if v, ok := s.extraField(ob.more, key); ok {
					L.Push(v)
					return 1
				}
			}
		}
		f, ok := vw.v.Get(key)
		if !ok {
			return 0
		}
		v := s.fieldValue(vw, f)
		switch v.(type) {
		case *lua.LUserData:
			s.lastView.set(vw, key, v)
		case lua.LString:
			s.lastStr.set(vw, key, v)
		}
		L.Push(v)
		return 1
	case lua.LNumber:
		if vw.v.Kind() == jsondoc.Array {
			i := int(k)
			if float64(i) == float64(k) && i >= 1 && i <= vw.v.Len() {
				L.Push(s.docValue(vw.v.Index(i - 1)))
				return 1
			}
		}
	}
	return 0
}

// forgetFields drops the field caches and the room for a first view, so
// that an idle script holds no event.
func (s *script) forgetFields() {
	s.first, s.firstOf = nil, nil
	if s.lastView.vw != nil {
		s.lastView.set(nil, "", nil)
	}
	if s.lastStr.vw != nil {
		s.lastStr.set(nil, "", nil)
	}
}

func (s *script) extraField(m *objMore, key string) (lua.LValue, bool) {
	if m.extra == nil && m.extras != nil {
		m.extra = m.extras()
		m.obj.Extra = m.extra
	}
	if m.extra == nil && m.obj.Extra != nil {
		m.extra = m.obj.Extra
	}
	raw, ok := m.extra[key]
	if !ok {
		return nil, false
	}
	if v, ok := m.conv[key]; ok {
		return v, true
	}
	v := s.toLua(raw)
	if m.conv == nil {
		m.conv = map[string]lua.LValue{}
	}
	m.conv[key] = v
	return v, true
}

// objectView renders a binding's *Object result: its data (parsed now,
// results are small) with its methods.
func (s *script) objectView(o *bindings.Object) lua.LValue {
	var root jsondoc.Value
	if len(o.Raw) > 0 {
		if doc, err := jsondoc.Parse(o.Raw); err == nil {
			root = doc.Root()
		}
	}
	return s.newView(root, o)
}

// pairs iterates views in document order (objects) or index order
// (arrays) and tables as the built-in does.
func (s *script) pairs(L *lua.LState) int {
	vw := toView(L.Get(1))
	if vw == nil {
		t := L.CheckTable(1)
		L.Push(s.pairsAux)
		L.Push(t)
		L.Push(lua.LNil)
		return 3
	}
	i := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		for {
			switch vw.v.Kind() {
			case jsondoc.Array:
				if i >= vw.v.Len() {
					return 0
				}
				i++
				L.Push(lua.LNumber(i))
				L.Push(s.docValue(vw.v.Index(i - 1)))
				return 2
			case jsondoc.Object:
				if i >= vw.v.Len() {
					return 0
				}
				k, v := vw.v.Field(i)
				i++
				if v.Kind() == jsondoc.Null {
					continue // nil values do not appear in pairs
				}
				L.Push(lua.LString(k))
				L.Push(s.docValue(v))
				return 2
			default:
				return 0
			}
		}
	}))
	L.Push(L.Get(1))
	L.Push(lua.LNil)
	return 3
}

// ipairs walks 1..n of views and tables, stopping at the first nil.
func (s *script) ipairs(L *lua.LState) int {
	vw := toView(L.Get(1))
	if vw == nil {
		t := L.CheckTable(1)
		L.Push(s.ipairsAux)
		L.Push(t)
		L.Push(lua.LNumber(0))
		return 3
	}
	L.Push(s.viewIpairsAux)
	L.Push(L.Get(1))
	L.Push(lua.LNumber(0))
	return 3
}

func (s *script) viewIpairsNext(L *lua.LState) int {
	vw := toView(L.Get(1))
	{
		i := L.CheckInt(2) + 1
		if vw == nil || vw.v.Kind() != jsondoc.Array || i > vw.v.Len() {
			return 0
		}
		v := s.docValue(vw.v.Index(i - 1))
		if v == lua.LNil {
			return 0
		}
		L.Push(lua.LNumber(i))
		L.Push(v)
		return 2
	}
}

// rawJSON is how a view crosses back into a binding: its JSON text,
// without conversion.
func (vw *view) rawJSON() json.RawMessage {
	if raw := vw.v.Raw(); raw != nil {
		return json.RawMessage(raw)
	}
	return nil
}
