package jsondoc

import (
	"encoding/binary"
	"strconv"
	"unsafe"
)

// Root is the document's top-level value.
func (d *Doc) Root() Value { return Value{d: d} }

// Value is a position in a Doc. The zero Value is Invalid. Values are
// small and are passed by value.
//
// Most Values are node i of tape t. A Value that Get found by scanning
// an object without a tape (see scanGet) has no node: i is then ^offset
// of its text, and t is its ordinal if it is a container, else 0.
type Value struct {
	d *Doc
	t int32
	i int32
}

// at is the node of a Value that has one, and the header of its tape.
func (v Value) at() (node, *header) {
	h := v.d.tape(v.t)
	return tapeNodes(h)[v.i], h
}

// start is where the value's text starts.
func (v Value) start() int32 {
	if v.i < 0 {
		return ^v.i
	}
	n, _ := v.at()
	return n.start
}

// kindOf maps a value's first byte to its kind.
var kindOf = func() (t [256]Kind) {
	t['n'], t['t'], t['f'], t['"'], t['['], t['{'] = Null, Bool, Bool, String, Array, Object
	t['-'] = Number
	for c := '0'; c <= '9'; c++ {
		t[c] = Number
	}
	return t
}()

// Kind reports the value's JSON type; Invalid for the zero Value.
func (v Value) Kind() Kind {
	if v.d == nil {
		return Invalid
	}
	return kindOf[v.d.src[v.start()]]
}

// Bool is the value of a Bool, false otherwise.
func (v Value) Bool() bool {
	if v.d == nil {
		return false
	}
	return v.d.src[v.start()] == 't'
}

// Str is the value of a String ("" otherwise). The result shares the
// parsed input's bytes unless the text had escapes.
func (v Value) Str() string {
	if v.d == nil {
		return ""
	}
	if v.i < 0 {
		return v.d.scannedStr(^v.i)
	}
	n, h := v.at()
	if v.d.src[n.start] != '"' {
		return ""
	}
	return v.d.strOf(h, n)
}

// strOf is the decoded value of string node n of tape h.
func (d *Doc) strOf(h *header, n node) string {
	if n.end < 0 {
		text := tapeText(h)
		off := int(^n.end)
		l := int(binary.LittleEndian.Uint32(text[off+4:]))
		if l == 0 {
			return ""
		}
		return unsafe.String(&text[off+8], l)
	}
	if n.end-n.start <= 2 {
		return ""
	}
	// The source is immutable for the Doc's lifetime (Parse's contract),
	// so the string may alias it.
	return unsafe.String(&d.src[n.start+1], int(n.end-n.start-2))
}

// scannedStr is the value of the string at start, if it is one, which no
// tape records: it is decoded now if it has escapes.
func (d *Doc) scannedStr(start int32) string {
	if d.src[start] != '"' {
		return ""
	}
	n, _, text, err := str(d.src, int(start), nil)
	if err != nil {
		return "" // only if the source was changed after Parse
	}
	if n.end < 0 {
		if l := int(binary.LittleEndian.Uint32(text[4:])); l > 0 {
			return unsafe.String(&text[8], l)
		}
		return ""
	}
	if n.end-n.start <= 2 {
		return ""
	}
	return unsafe.String(&d.src[n.start+1], int(n.end-n.start-2))
}

// NumberText is a Number's literal text, exactly as in the document.
func (v Value) NumberText() string {
	if v.d == nil {
		return ""
	}
	var s, e int32
	if v.i < 0 {
		s = ^v.i
		if kindOf[v.d.src[s]] != Number {
			return ""
		}
		e = v.d.scannedEnd(s)
	} else {
		n, _ := v.at()
		if kindOf[v.d.src[n.start]] != Number {
			return ""
		}
		s, e = n.start, n.end
	}
	return unsafe.String(&v.d.src[s], int(e-s))
}

// scannedEnd is where the text of the scalar at start, which no tape
// records, ends.
func (d *Doc) scannedEnd(start int32) int32 {
	var e int
	var err error
	switch c := d.src[start]; c {
	case '"':
		e, err = skipStr(d.src, int(start))
	case 't', 'n':
		e = int(start) + 4
	case 'f':
		e = int(start) + 5
	default:
		e, err = number(d.src, int(start))
	}
	if err != nil {
		return start // only if the source was changed after Parse
	}
	return int32(e)
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

// kids is the tape of a container's children (made now if need be) and
// the container's first byte; nil and 0 if the value is not a container.
func (v Value) kids() (*header, byte) {
	d := v.d
	if d == nil {
		return nil, 0
	}
	if v.i < 0 {
		s := ^v.i
		if v.t == 0 {
			return nil, 0
		}
		return d.sub(v.t, s), d.src[s]
	}
	n, h := v.at()
	c := d.src[n.start]
	if c != '{' && c != '[' {
		return nil, 0
	}
	return d.children(h, v.i, n), c
}

// Len is the number of elements (Array) or fields (Object), 0 otherwise.
func (v Value) Len() int {
	kh, c := v.kids()
	if kh == nil {
		return 0
	}
	if c == '{' {
		return int(kh.nodes-1) / 2
	}
	return int(kh.nodes - 1)
}

// Index is element i of an Array (Invalid when out of range).
func (v Value) Index(i int) Value {
	kh, c := v.kids()
	if c != '[' || i < 0 || i >= int(kh.nodes-1) {
		return Value{}
	}
	return Value{d: v.d, t: kh.ord, i: int32(i + 1)}
}

// Get is the field key of an Object (ok false when absent). When a key
// repeats, the last one wins, as in JSON.parse and encoding/json.
func (v Value) Get(key string) (Value, bool) {
	d := v.d
	if d == nil {
		return Value{}, false
	}
	src := d.src
	var h *header
	var start, ord int32
	scan := true
	if v.i < 0 {
		start, ord = ^v.i, v.t
		if ord == 0 || src[start] != '{' {
			return Value{}, false
		}
	} else {
		n, th := v.at()
		if src[n.start] != '{' {
			return Value{}, false
		}
		if v.i == 0 {
			h = th
		} else {
			start, ord = n.start, int32(binary.LittleEndian.Uint32(tapeText(th)[^n.end+4:]))
			scan = end(th, n)-start <= scanBudget
		}
	}
	if h == nil {
		if h = d.lookup(ord); h == nil && scan && d.scans.Load() < maxScans {
			if at, vord, ok := scanGet(src, int(start), ord, key); ok {
				d.scans.Add(1)
				if at < 0 {
					return Value{}, false
				}
				if c := src[at]; c != '{' && c != '[' {
					vord = 0
				}
				return Value{d: d, t: vord, i: ^int32(at)}, true
			}
		}
		if h == nil {
			h = d.sub(ord, start)
		}
	}
	nodes := tapeNodes(h)
	// Keys are at odd indexes, each before its value. Most keys differ
	// from the one wanted in length or first byte, which are compared
	// before any call to compare the rest.
	for j := len(nodes) - 2; j > 0; j -= 2 {
		k := nodes[j]
		if k.end < 0 {
			if d.strOf(h, k) == key {
				return Value{d: d, t: h.ord, i: int32(j + 1)}, true
			}
			continue
		}
		if int(k.end-k.start-2) != len(key) {
			continue
		}
		if len(key) == 0 || src[k.start+1] == key[0] && string(src[k.start+2:k.end-1]) == key[1:] {
			return Value{d: d, t: h.ord, i: int32(j + 1)}, true
		}
	}
	return Value{}, false
}

// Field is the i-th field of an Object, in document order.
func (v Value) Field(i int) (key string, val Value) {
	kh, c := v.kids()
	if c != '{' || i < 0 || i >= int(kh.nodes-1)/2 {
		return "", Value{}
	}
	return v.d.strOf(kh, tapeNodes(kh)[2*i+1]), Value{d: v.d, t: kh.ord, i: int32(2*i + 2)}
}

// Raw is the value's JSON text exactly as it appears in the document.
// It shares the document's bytes: callers must not modify it.
func (v Value) Raw() []byte {
	if v.d == nil {
		return nil
	}
	var s, e int32
	switch {
	case v.i >= 0:
		var n node
		var h *header
		n, h = v.at()
		s, e = n.start, end(h, n)
	case v.t == 0:
		s = ^v.i
		e = v.d.scannedEnd(s)
	default:
		s = ^v.i
		h := v.d.sub(v.t, s)
		e = end(h, tapeNodes(h)[0])
	}
	return v.d.src[s:e:e]
}
