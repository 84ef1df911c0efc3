package jsondoc

import (
	"encoding/binary"
	"strconv"
	"unsafe"
)

// Root is the document's top-level value.
func (d *Doc) Root() Value { return Value{d: d, i: 0} }

// Value is a position in a Doc. The zero Value is Invalid. Values are
// small and are passed by value.
type Value struct {
	d *Doc
	i int32
}

func (v Value) node() *node { return &v.d.nodes[v.i] }

// kindOf maps a value's first byte to its kind.
var kindOf = func() (t [256]Kind) {
	t['n'], t['t'], t['f'], t['"'], t['['], t['{'] = Null, Bool, Bool, String, Array, Object
	t['-'] = Number
	for c := '0'; c <= '9'; c++ {
		t[c] = Number
	}
	return t
}()

func (d *Doc) kind(n *node) Kind { return kindOf[d.src[n.start]] }

// Kind reports the value's JSON type; Invalid for the zero Value.
func (v Value) Kind() Kind {
	if v.d == nil {
		return Invalid
	}
	return v.d.kind(v.node())
}

// Bool is the value of a Bool, false otherwise.
func (v Value) Bool() bool {
	if v.d == nil {
		return false
	}
	return v.d.src[v.node().start] == 't'
}

// Str is the value of a String ("" otherwise). The result shares the
// parsed input's bytes unless the text had escapes.
func (v Value) Str() string {
	if v.d == nil {
		return ""
	}
	n := v.node()
	if v.d.src[n.start] != '"' {
		return ""
	}
	return v.d.strOf(n)
}

// strOf is a string node's decoded value.
func (d *Doc) strOf(n *node) string {
	if n.end < 0 {
		off := int(^n.end)
		l := int(binary.LittleEndian.Uint32(d.text[off+4:]))
		if l == 0 {
			return ""
		}
		return unsafe.String(&d.text[off+8], l)
	}
	if n.end-n.start <= 2 {
		return ""
	}
	// The source is immutable for the Doc's lifetime (Parse's contract),
	// so the string may alias it.
	return unsafe.String(&d.src[n.start+1], int(n.end-n.start-2))
}

// NumberText is a Number's literal text, exactly as in the document.
func (v Value) NumberText() string {
	if v.d == nil {
		return ""
	}
	n := v.node()
	if kindOf[v.d.src[n.start]] != Number {
		return ""
	}
	return unsafe.String(&v.d.src[n.start], int(n.end-n.start))
}

// Float is a Number as float64 (0 otherwise; ±Inf when out of range).
func (v Value) Float() float64 {
	t := v.NumberText()
	if n, ok := smallInt(t); ok && (n != 0 || t[0] != '-') {
		return float64(n)
	}
	f, _ := strconv.ParseFloat(t, 64) // "-0" stays negative zero
	return f
}

// Int is a Number as int64; ok is false when it is not an integer that
// fits in int64.
func (v Value) Int() (n int64, ok bool) {
	t := v.NumberText()
	if n, ok := smallInt(t); ok {
		return n, true
	}
	n, err := strconv.ParseInt(t, 10, 64)
	return n, err == nil
}

// smallInt decodes integers of up to 18 digits, which cannot overflow,
// without strconv's generality.
func smallInt(t string) (int64, bool) {
	neg := len(t) > 0 && t[0] == '-'
	if neg {
		t = t[1:]
	}
	if len(t) == 0 || len(t) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// Len is the number of elements (Array) or fields (Object), 0 otherwise.
func (v Value) Len() int {
	if v.d == nil {
		return 0
	}
	n := v.node()
	if c := v.d.src[n.start]; c != '[' && c != '{' {
		return 0
	}
	return int(v.d.kids[^n.end+1])
}

// Index is element i of an Array (Invalid when out of range).
func (v Value) Index(i int) Value {
	if v.d == nil {
		return Value{}
	}
	n := v.node()
	if v.d.src[n.start] != '[' {
		return Value{}
	}
	kids := v.d.children(n)
	if i < 0 || i >= len(kids) {
		return Value{}
	}
	return Value{d: v.d, i: kids[i]}
}

// Get is the field key of an Object (ok false when absent). When a key
// repeats, the last one wins, as in JSON.parse and encoding/json.
func (v Value) Get(key string) (Value, bool) {
	if v.d == nil {
		return Value{}, false
	}
	d := v.d
	n := &d.nodes[v.i]
	if d.src[n.start] != '{' {
		return Value{}, false
	}
	kids := d.children(n)
	for j := len(kids) - 1; j >= 0; j-- {
		vi := kids[j]
		k := &d.nodes[vi-1]
		if k.end < 0 {
			if d.strOf(k) == key {
				return Value{d: d, i: vi}, true
			}
			continue
		}
		// Compare the raw key bytes in place: no string is built.
		if int(k.end-k.start-2) == len(key) && string(d.src[k.start+1:k.end-1]) == key {
			return Value{d: d, i: vi}, true
		}
	}
	return Value{}, false
}

// Field is the i-th field of an Object, in document order.
func (v Value) Field(i int) (key string, val Value) {
	if v.d == nil {
		return "", Value{}
	}
	n := v.node()
	if v.d.src[n.start] != '{' {
		return "", Value{}
	}
	kids := v.d.children(n)
	if i < 0 || i >= len(kids) {
		return "", Value{}
	}
	vi := kids[i]
	return v.d.strOf(&v.d.nodes[vi-1]), Value{d: v.d, i: vi}
}

// Raw is the value's JSON text exactly as it appears in the document.
// It shares the document's bytes: callers must not modify it.
func (v Value) Raw() []byte {
	if v.d == nil {
		return nil
	}
	n := v.node()
	end := v.d.end(n)
	return v.d.src[n.start:end:end]
}

// children is a container node's element or field value indexes.
func (d *Doc) children(n *node) []int32 {
	off := ^n.end
	return d.kids[off+2 : off+2+d.kids[off+1]]
}

// end is where a node's text ends in src.
func (d *Doc) end(n *node) int32 {
	if n.end >= 0 {
		return n.end
	}
	if c := d.src[n.start]; c == '{' || c == '[' {
		return d.kids[^n.end]
	}
	return int32(binary.LittleEndian.Uint32(d.text[^n.end:]))
}
