package bindings

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// maxDepth bounds nesting of values passed to bindings; deeper values are
// almost certainly cyclic tables flattened by an engine, or abuse.
const maxDepth = 64

var (
	errTooLarge = errors.New("too large")
	errTooDeep  = errors.New("nested too deeply")
)

// encodeJSON encodes a boundary value as JSON, failing as soon as the
// output passes limit bytes so that a huge value costs little. Map keys are
// sorted so the encoding is deterministic. Callbacks cannot be encoded.
func encodeJSON(v any, limit int) ([]byte, error) {
	e := jsonEncoder{limit: limit}
	if err := e.value(v, 0); err != nil {
		return nil, err
	}
	return e.buf, nil
}

type jsonEncoder struct {
	buf   []byte
	limit int
}

func (e *jsonEncoder) value(v any, depth int) error {
	if depth > maxDepth {
		return errTooDeep
	}
	if len(e.buf) > e.limit {
		return errTooLarge
	}
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case bool:
		e.buf = strconv.AppendBool(e.buf, x)
	case int64:
		e.buf = strconv.AppendInt(e.buf, x, 10)
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return errors.New("NaN and infinite numbers have no JSON form")
		}
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			e.buf = strconv.AppendInt(e.buf, int64(x), 10)
			break
		}
		b, err := json.Marshal(x)
		if err != nil {
			return err
		}
		e.buf = append(e.buf, b...)
	case string:
		e.str(x)
	case json.RawMessage:
		if !json.Valid(x) {
			return errors.New("invalid JSON value")
		}
		e.buf = append(e.buf, x...)
	case []any:
		e.buf = append(e.buf, '[')
		for i, el := range x {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if err := e.value(el, depth+1); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, ']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		e.buf = append(e.buf, '{')
		for i, k := range keys {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.str(k)
			e.buf = append(e.buf, ':')
			if err := e.value(x[k], depth+1); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, '}')
	case *Object:
		m, ok := asMap(x)
		if !ok {
			e.buf = append(e.buf, "null"...)
			break
		}
		return e.value(m, depth)
	case Callback:
		return errors.New("a function cannot be converted to JSON")
	default:
		return errors.New("unsupported value " + typeName(v))
	}
	if len(e.buf) > e.limit {
		return errTooLarge
	}
	return nil
}

// str appends s as a JSON string. Unlike encoding/json it leaves <, > and
// & alone (nothing here is embedded in HTML, and log lines stay readable);
// invalid UTF-8 becomes U+FFFD as there.
func (e *jsonEncoder) str(s string) {
	const hex = "0123456789abcdef"
	b := append(e.buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			// Valid JSON, but not valid JavaScript source before ES2019.
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	e.buf = append(b, '"')
}

// payloadErr turns an encoding failure into the error a script sees.
func payloadErr(fn, what string, limit int, err error) error {
	switch {
	case errors.Is(err, errTooLarge):
		return &UsageError{Func: fn, Msg: what + " is larger than " + sizeString(limit) + ": " + ErrLimit.Error(), err: ErrLimit}
	case errors.Is(err, errTooDeep):
		return Usagef(fn, "%s is nested more than %d levels deep", what, maxDepth)
	default:
		return Usagef(fn, "%s cannot be sent: %v", what, err)
	}
}

func sizeString(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + " KiB"
	default:
		return strconv.Itoa(n) + " bytes"
	}
}
