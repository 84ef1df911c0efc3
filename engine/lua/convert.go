package lua

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine/jsondoc"
)

// maxDepth bounds nesting of values crossing into Go; it also stops cycles.
const maxDepth = 64

// converter turns Lua values into binding values (see bindings/value.go),
// counting an estimate of the JSON size against MaxPayload as it goes.
type converter struct {
	s    *script
	fn   string // binding name for error messages
	size int
}

func (s *script) newConverter(fn string) *converter { return &converter{s: s, fn: fn} }

func (c *converter) grow(n int) error {
	c.size += n
	if c.size > c.s.limits.MaxPayload {
		return fmt.Errorf("%s: value larger than %d bytes: %w", c.fn, c.s.limits.MaxPayload, bindings.ErrLimit)
	}
	return nil
}

// toGo converts v. Tables with keys 1..n are arrays, other tables objects
// (number keys become strings); an empty table is an empty array unless
// made with json.object(). Integral numbers become int64.
func (c *converter) toGo(v lua.LValue, depth int) (any, error) {
	if depth > maxDepth {
		return nil, bindings.Usagef(c.fn, "value nested deeper than %d levels (or a table that contains itself)", maxDepth)
	}
	switch v := v.(type) {
	case *lua.LNilType:
		return nil, c.grow(4)
	case lua.LBool:
		return bool(v), c.grow(5)
	case lua.LNumber:
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, bindings.Usagef(c.fn, "number %v cannot be sent (NaN and infinity are not JSON)", f)
		}
		if err := c.grow(8); err != nil {
			return nil, err
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return int64(f), nil
		}
		return f, nil
	case lua.LString:
		return string(v), c.grow(len(v) + 2)
	case *lua.LFunction:
		return &callback{s: c.s, fn: v}, nil
	case *lua.LUserData:
		if vw, ok := v.Value.(*view); ok {
			raw := vw.rawJSON()
			if raw == nil {
				if vw.ob != nil {
					return vw.objMore().obj, nil
				}
				return nil, nil
			}
			return raw, c.grow(len(raw))
		}
	case *lua.LTable:
		return c.table(v, depth)
	}
	return nil, bindings.Usagef(c.fn, "cannot pass a %s", v.Type())
}

func (c *converter) table(t *lua.LTable, depth int) (any, error) {
	if err := c.grow(2); err != nil {
		return nil, err
	}
	n := t.Len()
	count := 0
	allArray := true
	t.ForEach(func(k, _ lua.LValue) {
		count++
		if num, ok := k.(lua.LNumber); !ok || float64(num) != math.Trunc(float64(num)) || num < 1 || int(num) > n {
			allArray = false
		}
	})
	isArray := t.Metatable == c.s.arrayMT || (t.Metatable != c.s.objMT && allArray && count == n)
	if isArray {
		if !allArray || count != n {
			return nil, bindings.Usagef(c.fn, "json.array table has non-sequence keys")
		}
		out := make([]any, n)
		for i := 1; i <= n; i++ {
			v, err := c.toGo(t.RawGetInt(i), depth+1)
			if err != nil {
				return nil, err
			}
			out[i-1] = v
		}
		return out, nil
	}
	out := make(map[string]any, count)
	var err error
	t.ForEach(func(k, val lua.LValue) {
		if err != nil {
			return
		}
		var key string
		switch k := k.(type) {
		case lua.LString:
			key = string(k)
		case lua.LNumber:
			key = k.String()
		default:
			err = bindings.Usagef(c.fn, "table keys must be strings or numbers, got a %s", k.Type())
			return
		}
		if err = c.grow(len(key) + 4); err != nil {
			return
		}
		var gv any
		gv, err = c.toGo(val, depth+1)
		out[key] = gv
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// toLua converts a binding result or Go value for the script. JSON results
// become plain tables (scripts may change them); *Object becomes a view
// with methods.
func (s *script) toLua(v any) lua.LValue {
	switch v := v.(type) {
	case nil:
		return lua.LNil
	case lua.LValue:
		return v
	case bool:
		return lua.LBool(v)
	case int:
		return intValue(int64(v))
	case int64:
		return intValue(v)
	case float64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case json.Number:
		return numberText(string(v))
	case []any:
		t := s.L.CreateTable(len(v), 0)
		for _, e := range v {
			t.Append(s.toLua(e))
		}
		if len(v) == 0 {
			t.Metatable = s.arrayMT
		}
		return t
	case map[string]any:
		t := s.L.CreateTable(0, len(v))
		for k, e := range v {
			t.RawSetString(k, s.toLua(e))
		}
		if len(v) == 0 {
			t.Metatable = s.objMT
		}
		return t
	case json.RawMessage:
		if len(v) == 0 {
			return lua.LNil
		}
		if doc, err := jsondoc.Parse(v); err == nil {
			return s.docTable(doc.Root())
		}
		return s.decodeToLua(v)
	case *bindings.Object:
		if v == nil {
			return lua.LNil
		}
		return s.objectView(v)
	case *callback:
		return v.fn
	case []string:
		t := s.L.CreateTable(len(v), 0)
		for _, e := range v {
			t.Append(lua.LString(e))
		}
		return t
	case map[string]string:
		t := s.L.CreateTable(0, len(v))
		for k, e := range v {
			t.RawSetString(k, lua.LString(e))
		}
		return t
	default:
		// Anything else a binding returns goes through JSON, never
		// reflection: scripts see data, not Go objects.
		b, err := json.Marshal(v)
		if err != nil {
			return lua.LNil
		}
		return s.toLua(json.RawMessage(b))
	}
}

// docTable builds the plain tables of a parsed JSON result, straight
// from the document: the same tables as decoding into Go values first
// (decodeToLua) at a fraction of the cost. Strings are copied: a result's
// bytes belong to the binding.
func (s *script) docTable(v jsondoc.Value) lua.LValue {
	switch v.Kind() {
	case jsondoc.Bool:
		return lua.LBool(v.Bool())
	case jsondoc.Number:
		n := numberText(v.NumberText())
		if str, ok := n.(lua.LString); ok { // beyond ±2^53: its text
			return lua.LString(strings.Clone(string(str)))
		}
		return n
	case jsondoc.String:
		return lua.LString(strings.Clone(v.Str()))
	case jsondoc.Array:
		n := v.Len()
		t := s.L.CreateTable(n, 0)
		for i := range n {
			t.Append(s.docTable(v.Index(i)))
		}
		if n == 0 {
			t.Metatable = s.arrayMT
		}
		return t
	case jsondoc.Object:
		n := v.Len()
		t := s.L.CreateTable(0, n)
		for i := range n {
			k, fv := v.Field(i)
			t.RawSetString(strings.Clone(k), s.docTable(fv))
		}
		if n == 0 {
			t.Metatable = s.objMT
		}
		return t
	}
	return lua.LNil
}

// decodeToLua converts JSON through encoding/json: for what jsondoc
// refuses (trailing data after the value, nesting deeper than its limit).
func (s *script) decodeToLua(raw json.RawMessage) lua.LValue {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return lua.LNil
	}
	return s.toLua(out)
}

func intValue(n int64) lua.LValue {
	if n > maxSafeInt || n < -maxSafeInt {
		return lua.LString(strconv.FormatInt(n, 10))
	}
	return lua.LNumber(n)
}

// numberText converts a JSON number. Beyond ±2^53 a Lua number cannot
// hold every integer exactly, so such numbers stay strings of their text.
func numberText(t string) lua.LValue {
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		return intValue(n)
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.Abs(f) > maxSafeInt {
		return lua.LString(t)
	}
	return lua.LNumber(f)
}

// jsonTable is the script's json library: encode/decode, array/object
// markers for the ambiguous empty table, copy for a mutable copy of a
// view.
func (s *script) jsonTable() *lua.LTable {
	L := s.L
	t := L.CreateTable(0, 5)
	t.RawSetString("encode", L.NewFunction(func(L *lua.LState) int {
		c := s.newConverter("json.encode")
		v, err := c.toGo(L.Get(1), 0)
		if err != nil {
			s.raise(L, err, 1)
		}
		if _, ok := v.(*callback); ok {
			s.raise(L, bindings.Usagef("json.encode", "cannot encode a function"), 1)
		}
		b, err := marshalSorted(v)
		if err != nil {
			s.raise(L, bindings.Usagef("json.encode", "%v", err), 1)
		}
		L.Push(lua.LString(b))
		return 1
	}))
	t.RawSetString("decode", L.NewFunction(func(L *lua.LState) int {
		src := L.CheckString(1)
		if len(src) > s.limits.MaxPayload {
			s.raise(L, bindings.Usagef("json.decode", "text larger than %d bytes", s.limits.MaxPayload), 1)
		}
		if !json.Valid([]byte(src)) {
			s.raise(L, bindings.Usagef("json.decode", "invalid JSON"), 1)
		}
		L.Push(s.toLua(json.RawMessage(src)))
		return 1
	}))
	t.RawSetString("copy", L.NewFunction(func(L *lua.LState) int {
		c := s.newConverter("json.copy")
		v, err := c.toGo(L.Get(1), 0)
		if err != nil {
			s.raise(L, err, 1)
		}
		L.Push(s.toLua(v))
		return 1
	}))
	mark := func(mt *lua.LTable) lua.LGFunction {
		return func(L *lua.LState) int {
			tbl, ok := L.Get(1).(*lua.LTable)
			if !ok {
				tbl = L.NewTable()
			}
			tbl.Metatable = mt
			L.Push(tbl)
			return 1
		}
	}
	t.RawSetString("array", L.NewFunction(mark(s.arrayMT)))
	t.RawSetString("object", L.NewFunction(mark(s.objMT)))
	return t
}

// marshalSorted encodes with sorted object keys (encoding/json sorts map
// keys) and views as their JSON text.
func marshalSorted(v any) ([]byte, error) {
	if o, ok := v.(*bindings.Object); ok {
		if o.Raw == nil {
			return []byte("null"), nil
		}
		return o.Raw, nil
	}
	return json.Marshal(v)
}
