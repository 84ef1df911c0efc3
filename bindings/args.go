package bindings

import (
	"encoding/json"
	"math"
)

// Argument helpers: every binding validates its arguments through these so
// that misuse reads the same in every function and both languages.

// typeName names a boundary value the way script authors think of it.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case bool:
		return "boolean"
	case int64, float64, int, int32, float32:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any, json.RawMessage:
		return "table/object"
	case *Object:
		return "object"
	case Callback:
		return "function"
	default:
		return "unsupported value"
	}
}

// ordinal is "first", "second", ... for error messages.
func ordinal(i int) string {
	names := [...]string{"first", "second", "third", "fourth", "fifth"}
	if i < len(names) {
		return names[i]
	}
	return "extra"
}

// checkArgs fails when the call has more than max arguments. Trailing
// nils count as absent (Lua passes them freely). A call with fewer than min
// arguments fails only when none were given: otherwise the check of the
// missing argument reports it more precisely ("second argument must be a
// function, got nil" for a misspelt handler name, which Lua reads as nil).
func checkArgs(c *Call, fn string, min, max int) error {
	n := len(c.Args)
	for n > 0 && c.Args[n-1] == nil {
		n--
	}
	if n > max {
		if max == 0 {
			return Usagef(fn, "takes no arguments, got %d", n)
		}
		return Usagef(fn, "takes at most %d argument(s), got %d", max, n)
	}
	if n == 0 && min > 0 {
		return Usagef(fn, "expects %d argument(s), got none", min)
	}
	return nil
}

// arg returns argument i or nil when absent.
func arg(c *Call, i int) any {
	if i < len(c.Args) {
		return c.Args[i]
	}
	return nil
}

func argString(c *Call, fn string, i int, what string) (string, error) {
	s, ok := arg(c, i).(string)
	if !ok {
		return "", Usagef(fn, "%s argument (%s) must be a string, got %s", ordinal(i), what, typeName(arg(c, i)))
	}
	if s == "" {
		return "", Usagef(fn, "%s argument (%s) must not be empty", ordinal(i), what)
	}
	return s, nil
}

func argCallback(c *Call, fn string, i int) (Callback, error) {
	cb, ok := arg(c, i).(Callback)
	if !ok || cb == nil {
		return nil, Usagef(fn, "%s argument must be a function, got %s", ordinal(i), typeName(arg(c, i)))
	}
	return cb, nil
}

// argNumber accepts the engines' two number representations.
func argNumber(c *Call, fn string, i int, what string) (float64, error) {
	switch n := arg(c, i).(type) {
	case int64:
		return float64(n), nil
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return 0, Usagef(fn, "%s argument (%s) must be a finite number", ordinal(i), what)
		}
		return n, nil
	default:
		return 0, Usagef(fn, "%s argument (%s) must be a number, got %s", ordinal(i), what, typeName(n))
	}
}

// argMap accepts a table/object argument: a map, or a JSON object the
// engine passed through unconverted. The result is a fresh map the caller
// may modify.
func argMap(c *Call, fn string, i int, what string) (map[string]any, error) {
	m, ok := asMap(arg(c, i))
	if !ok {
		return nil, Usagef(fn, "%s argument (%s) must be a table/object, got %s", ordinal(i), what, typeName(arg(c, i)))
	}
	return m, nil
}

// asMap returns a shallow copy of v as a map when v is object-like.
func asMap(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(m)+1)
		for k, x := range m {
			out[k] = x
		}
		return out, true
	case json.RawMessage:
		var out map[string]any
		if err := json.Unmarshal(m, &out); err != nil || out == nil {
			return nil, false
		}
		return out, true
	case *Object:
		if m == nil || m.Raw == nil {
			return nil, false
		}
		out, ok := asMap(m.Raw)
		if !ok {
			return nil, false
		}
		for k, x := range m.Extra {
			out[k] = x
		}
		return out, true
	default:
		return nil, false
	}
}
