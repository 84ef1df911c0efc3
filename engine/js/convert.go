package js

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"

	"github.com/dop251/goja"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine/jsondoc"
)

// Conversions across the binding boundary. JS → Go produces the boundary
// values of package bindings (nil, bool, int64, float64, string, []any,
// map[string]any, *bindings.Object, bindings.Callback); Go → JS produces
// plain, mutable JS values except for *bindings.Object, which becomes a
// read-only view with methods.

// maxConvertDepth bounds nesting; deeper values are cyclic or abuse.
const maxConvertDepth = 64

// maxSafeInt is 2^53: integers beyond it lose precision as JS numbers.
const maxSafeInt = 1 << 53

var (
	objViewType = reflect.TypeOf((*objView)(nil))
	arrViewType = reflect.TypeOf((*arrView)(nil))
)

// callback is a JS function handed to a binding.
type callback struct {
	s *script
	v goja.Value
	// fn is v as a Go function, asserted once: goja.AssertFunction
	// builds a new closure each time. Loop goroutine only.
	fn goja.Callable
}

// callable is v as a Go function; ok is false when v is not callable.
func (c *callback) callable() (goja.Callable, bool) {
	if c.fn == nil {
		f, ok := goja.AssertFunction(c.v)
		if !ok {
			return nil, false
		}
		c.fn = f
	}
	return c.fn, true
}

func (c *callback) Lang() string { return "js" }

type convertError struct{ msg string }

func (e *convertError) Error() string { return e.msg }

// argsFromJS converts a binding call's arguments, bounding their total
// size by Limits.MaxPayload.
func (s *script) argsFromJS(in []goja.Value) ([]any, error) {
	out := make([]any, len(in))
	budget := s.lim.MaxPayload
	for i, v := range in {
		x, err := s.fromJS(v, 0, &budget)
		if err != nil {
			return nil, fmt.Errorf("%s argument: %w", ordinal(i), err)
		}
		out[i] = x
	}
	return out, nil
}

func ordinal(i int) string {
	names := [...]string{"first", "second", "third", "fourth", "fifth"}
	if i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("argument %d", i+1)
}

// fromJS converts one value. budget is the remaining byte allowance.
func (s *script) fromJS(v goja.Value, depth int, budget *int) (any, error) {
	if depth > maxConvertDepth {
		return nil, &convertError{fmt.Sprintf("value nested deeper than %d levels (a cycle?)", maxConvertDepth)}
	}
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil, nil
	}
	if err := spend(budget, 8); err != nil {
		return nil, err
	}
	if _, isSym := v.(*goja.Symbol); isSym {
		return nil, &convertError{"cannot pass a symbol to a binding"}
	}
	o, isObj := v.(*goja.Object)
	if !isObj {
		switch x := v.Export().(type) {
		case bool:
			return x, nil
		case int64:
			return x, nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) <= maxSafeInt {
				return int64(x), nil
			}
			return x, nil
		case string:
			if err := spend(budget, len(x)); err != nil {
				return nil, err
			}
			return x, nil
		case *big.Int:
			// BigInt: ids beyond 2^53 written as 123n travel as strings.
			return x.String(), nil
		default:
			return nil, &convertError{fmt.Sprintf("cannot pass a %s to a binding", v.ExportType())}
		}
	}
	if _, ok := goja.AssertFunction(o); ok {
		return &callback{s: s, v: o}, nil
	}
	// ExportType is cheap; Export of a plain object would copy it.
	switch o.ExportType() {
	case objViewType:
		x := o.Export().(*objView)
		if obj := x.object(); obj != nil && obj.Kind != "" {
			return obj, nil
		}
		return docToGo(x.v, depth, budget)
	case arrViewType:
		return docToGo(o.Export().(*arrView).v, depth, budget)
	}
	switch o.ClassName() {
	case "Array":
		n := o.Get("length").ToInteger()
		if err := spend(budget, int(n)); err != nil {
			return nil, err
		}
		out := make([]any, 0, n)
		for i := int64(0); i < n; i++ {
			e, err := s.fromJS(o.Get(strconv.FormatInt(i, 10)), depth+1, budget)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		return out, nil
	case "Date":
		if t, ok := o.Export().(interface{ Format(string) string }); ok {
			return t.Format("2006-01-02T15:04:05.000Z07:00"), nil
		}
	}
	keys := o.Keys()
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		if err := spend(budget, len(k)); err != nil {
			return nil, err
		}
		fv := o.Get(k)
		if fv != nil && goja.IsUndefined(fv) {
			continue // JSON drops undefined fields; so do we
		}
		e, err := s.fromJS(fv, depth+1, budget)
		if err != nil {
			return nil, err
		}
		out[k] = e
	}
	return out, nil
}

func spend(budget *int, n int) error {
	*budget -= n
	if *budget < 0 {
		return &convertError{"value is larger than the payload limit"}
	}
	return nil
}

// docToGo deep-converts event data a script passes back to a binding.
func docToGo(v jsondoc.Value, depth int, budget *int) (any, error) {
	if depth > maxConvertDepth {
		return nil, &convertError{"value nested too deeply"}
	}
	if err := spend(budget, 8); err != nil {
		return nil, err
	}
	switch v.Kind() {
	case jsondoc.Bool:
		return v.Bool(), nil
	case jsondoc.Number:
		if n, ok := v.Int(); ok {
			if n > maxSafeInt || n < -maxSafeInt {
				return v.NumberText(), nil
			}
			return n, nil
		}
		if t := v.NumberText(); isIntegerText(t) {
			return t, nil // beyond int64: exact digits, as scripts see it
		}
		return v.Float(), nil
	case jsondoc.String:
		if err := spend(budget, len(v.Str())); err != nil {
			return nil, err
		}
		return v.Str(), nil
	case jsondoc.Array:
		out := make([]any, v.Len())
		for i := range out {
			e, err := docToGo(v.Index(i), depth+1, budget)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case jsondoc.Object:
		out := make(map[string]any, v.Len())
		for i := 0; i < v.Len(); i++ {
			k, fv := v.Field(i)
			e, err := docToGo(fv, depth+1, budget)
			if err != nil {
				return nil, err
			}
			out[k] = e
		}
		return out, nil
	default:
		return nil, nil
	}
}

// toJS converts a binding result or Go-side value into a JS value.
func (s *script) toJS(v any) goja.Value {
	switch x := v.(type) {
	case nil:
		return goja.Null()
	case goja.Value:
		return x
	case bool, string, int64, float64, int:
		return s.vm.ToValue(x)
	case int32:
		return s.vm.ToValue(int64(x))
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = s.toJS(e)
		}
		return s.vm.NewArray(items...)
	case []string:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = e
		}
		return s.vm.NewArray(items...)
	case map[string]any:
		o := s.vm.NewObject()
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			o.Set(k, s.toJS(x[k]))
		}
		return o
	case json.RawMessage:
		if len(x) == 0 {
			return goja.Null()
		}
		doc, err := jsondoc.Parse(x)
		if err != nil {
			return goja.Null()
		}
		return s.docToJS(doc.Root(), 0)
	case *bindings.Object:
		if x == nil {
			return goja.Null()
		}
		root := jsondoc.Value{}
		if len(x.Raw) > 0 {
			if doc, err := jsondoc.Parse(x.Raw); err == nil {
				root = doc.Root()
			}
		}
		return s.objectView(x, root)
	case *callback:
		return x.v
	default:
		// Unknown Go types never reach scripts as host objects: they
		// cross as their JSON form.
		b, err := json.Marshal(x)
		if err != nil {
			return goja.Null()
		}
		return s.toJS(json.RawMessage(b))
	}
}

// docToJS deep-copies JSON into plain mutable JS values (binding results).
func (s *script) docToJS(v jsondoc.Value, depth int) goja.Value {
	switch v.Kind() {
	case jsondoc.Object:
		o := s.vm.NewObject()
		if depth > maxConvertDepth {
			return o
		}
		for i := 0; i < v.Len(); i++ {
			k, fv := v.Field(i)
			o.Set(k, s.docToJS(fv, depth+1))
		}
		return o
	case jsondoc.Array:
		items := make([]any, v.Len())
		if depth <= maxConvertDepth {
			for i := range items {
				items[i] = s.docToJS(v.Index(i), depth+1)
			}
		}
		return s.vm.NewArray(items...)
	default:
		return s.scalar(v)
	}
}

// scalar converts a JSON scalar. Integers beyond ±2^53 become strings of
// their exact digits: a JS number would silently round them, and the
// platform's ids are strings already.
func (s *script) scalar(v jsondoc.Value) goja.Value { return s.scalarOf(v, v.Kind()) }

// scalarOf is scalar of v of kind k.
func (s *script) scalarOf(v jsondoc.Value, k jsondoc.Kind) goja.Value {
	switch k {
	case jsondoc.Bool:
		return s.vm.ToValue(v.Bool())
	case jsondoc.String:
		return s.stringValue(v.Str())
	case jsondoc.Number:
		if n, ok := v.Int(); ok {
			if n > maxSafeInt || n < -maxSafeInt {
				return s.vm.ToValue(v.NumberText())
			}
			return s.vm.ToValue(n)
		}
		if t := v.NumberText(); isIntegerText(t) {
			return s.vm.ToValue(t) // beyond int64
		}
		return s.vm.ToValue(v.Float())
	case jsondoc.Null:
		return goja.Null()
	default:
		return goja.Undefined()
	}
}

func isIntegerText(t string) bool {
	if t == "" {
		return false
	}
	for i, c := range t {
		if c == '-' && i == 0 {
			continue
		}
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
