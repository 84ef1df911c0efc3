package jsondoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Kind is the JSON type of a Value.
type Kind uint8

const (
	Invalid Kind = iota // the zero Value: a missing field or index
	Null
	Bool
	Number
	String
	Array
	Object
)

// node is one value in the document. Containers keep their children as a
// contiguous range of kids (object fields are key/value pairs).
type node struct {
	kind  Kind
	b     bool
	str   string // string value, or the number's literal text
	first int32  // containers: index of first child in Doc.kids
	n     int32  // containers: number of elements or fields
	raw   [2]int32
}

// Doc is a parsed, immutable JSON document.
type Doc struct {
	src   []byte
	nodes []node
	kids  []int32  // child node indexes, objects as key,value pairs of (keyIdx into keys, node)
	keys  []string // object keys, parallel to object entries
}

// Value is a position in a Doc. The zero Value is Invalid.
type Value struct {
	d *Doc
	i int32
}

// Parse parses data, which must stay unchanged for the Doc's lifetime.
func Parse(data []byte) (*Doc, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	d := &Doc{src: data}
	if _, err := d.parse(dec); err != nil {
		return nil, fmt.Errorf("jsondoc: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("jsondoc: trailing data after JSON value")
	}
	return d, nil
}

func (d *Doc) parse(dec *json.Decoder) (int32, error) {
	start := int32(dec.InputOffset())
	tok, err := dec.Token()
	if err != nil {
		return 0, err
	}
	idx := int32(len(d.nodes))
	d.nodes = append(d.nodes, node{})
	var n node
	switch t := tok.(type) {
	case nil:
		n.kind = Null
	case bool:
		n.kind, n.b = Bool, t
	case json.Number:
		n.kind, n.str = Number, string(t)
	case string:
		n.kind, n.str = String, t
	case json.Delim:
		var kids []int32
		var keys []string
		if t == '[' {
			n.kind = Array
			for dec.More() {
				k, err := d.parse(dec)
				if err != nil {
					return 0, err
				}
				kids = append(kids, k)
			}
		} else {
			n.kind = Object
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return 0, err
				}
				key, _ := kt.(string)
				k, err := d.parse(dec)
				if err != nil {
					return 0, err
				}
				keys = append(keys, key)
				kids = append(kids, k)
			}
		}
		if _, err := dec.Token(); err != nil {
			return 0, err
		}
		n.first = int32(len(d.kids))
		n.n = int32(len(kids))
		d.kids = append(d.kids, kids...)
		if n.kind == Object {
			// keys are stored at the same offsets as kids
			for len(d.keys) < int(n.first) {
				d.keys = append(d.keys, "")
			}
			d.keys = append(d.keys, keys...)
		}
	}
	n.raw = [2]int32{start, int32(dec.InputOffset())}
	d.nodes[idx] = n
	return idx, nil
}

// Root is the document's top-level value.
func (d *Doc) Root() Value { return Value{d: d, i: 0} }

// Kind reports the value's JSON type; Invalid for the zero Value.
func (v Value) Kind() Kind {
	if v.d == nil {
		return Invalid
	}
	return v.d.nodes[v.i].kind
}

// Bool is the value of a Bool, false otherwise.
func (v Value) Bool() bool { return v.d != nil && v.d.nodes[v.i].b }

// Str is the value of a String ("" otherwise).
func (v Value) Str() string {
	if v.Kind() != String {
		return ""
	}
	return v.d.nodes[v.i].str
}

// NumberText is a Number's literal text, exactly as in the document.
func (v Value) NumberText() string {
	if v.Kind() != Number {
		return ""
	}
	return v.d.nodes[v.i].str
}

// Float is a Number as float64.
func (v Value) Float() float64 {
	f, _ := strconv.ParseFloat(v.NumberText(), 64)
	return f
}

// Int is a Number as int64; ok is false when it is not an integer that
// fits in int64.
func (v Value) Int() (n int64, ok bool) {
	n, err := strconv.ParseInt(v.NumberText(), 10, 64)
	return n, err == nil
}

// Len is the number of elements (Array) or fields (Object), 0 otherwise.
func (v Value) Len() int {
	k := v.Kind()
	if k != Array && k != Object {
		return 0
	}
	return int(v.d.nodes[v.i].n)
}

// Index is element i of an Array (Invalid when out of range).
func (v Value) Index(i int) Value {
	if v.Kind() != Array || i < 0 || i >= v.Len() {
		return Value{}
	}
	nd := v.d.nodes[v.i]
	return Value{d: v.d, i: v.d.kids[int(nd.first)+i]}
}

// Get is the field key of an Object (ok false when absent).
func (v Value) Get(key string) (Value, bool) {
	if v.Kind() != Object {
		return Value{}, false
	}
	nd := v.d.nodes[v.i]
	for j := int(nd.first); j < int(nd.first+nd.n); j++ {
		if v.d.keys[j] == key {
			return Value{d: v.d, i: v.d.kids[j]}, true
		}
	}
	return Value{}, false
}

// Field is the i-th field of an Object, in document order.
func (v Value) Field(i int) (key string, val Value) {
	if v.Kind() != Object || i < 0 || i >= v.Len() {
		return "", Value{}
	}
	j := int(v.d.nodes[v.i].first) + i
	return v.d.keys[j], Value{d: v.d, i: v.d.kids[j]}
}

// Raw is the value's JSON text as it appears in the document.
func (v Value) Raw() []byte {
	if v.d == nil {
		return nil
	}
	r := v.d.nodes[v.i].raw
	return bytes.TrimSpace(bytes.TrimLeft(v.d.src[r[0]:r[1]], ",: \t\r\n"))
}
