package gateway

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// scanFrame is decodeFrame's fast path: one pass over the payload that
// validates the JSON grammar and picks out op, s, t and d, with d as a
// sub-slice of data rather than a copy. Decoding every event's envelope
// with encoding/json cost about as much as everything else botrun does
// with the event (reflection, a full validation pass, a copy of d).
//
// A dispatch whose d comes after op, s and t, as Discord writes every
// dispatch, is not walked twice: d is taken to be the rest of the frame,
// an object up to the envelope's closing brace, and left for the host's
// parser to validate (every consumer of Dispatch.Data parses it). A frame
// with more keys after such a d hands on data that is not valid JSON,
// which the host rejects as malformed.
//
// It accepts only the forms Discord sends: plain keys, integer op and s,
// an unescaped t. Anything else (escaped or case-folded keys, repeated
// keys, op as null or 1e0, deep nesting, a syntax error) reports
// ok == false and decodeFrame falls back to encoding/json, so the result
// and every error stay exactly what encoding/json would give.
func scanFrame(data []byte) (f frame, ok bool) {
	sc := scanner{b: data}
	var haveOp, haveD, haveS, haveT bool
	sc.i = 1 // data[0] == '{', checked by the caller
	sc.ws()
	if sc.peek() == '}' {
		sc.i++
	} else {
		for {
			if sc.peek() != '"' {
				return frame{}, false
			}
			key, plain := sc.str()
			if !plain {
				return frame{}, false
			}
			sc.ws()
			if sc.peek() != ':' {
				return frame{}, false
			}
			sc.i++
			sc.ws()
			switch string(key) {
			case "op":
				n, ok := sc.int()
				if !ok || haveOp || int64(int(n)) != n {
					return frame{}, false
				}
				f.Op, haveOp = int(n), true
			case "s":
				if haveS {
					return frame{}, false
				}
				haveS = true
				if sc.lit("null") {
					break
				}
				n, ok := sc.int()
				if !ok {
					return frame{}, false
				}
				f.S = &n
			case "t":
				if haveT {
					return frame{}, false
				}
				haveT = true
				if sc.lit("null") {
					break
				}
				if sc.peek() != '"' {
					return frame{}, false
				}
				t, plain := sc.str()
				if !plain || !ascii(t) {
					// encoding/json would unescape it or replace invalid UTF-8
					return frame{}, false
				}
				f.T = eventName(t)
			case "d":
				if haveD {
					return frame{}, false
				}
				haveD = true
				start := sc.i
				if haveOp && f.Op == opDispatch && f.S != nil && *f.S >= 0 && f.T != "" {
					if end, ok := restIsObject(data, start); ok {
						// Discord writes d last: the rest of the frame is d,
						// which the host parses (and validates) anyway.
						f.D = data[start:end:end]
						sc.i = end
						break
					}
				}
				if !sc.value() {
					return frame{}, false
				}
				f.D = data[start:sc.i:sc.i]
			default:
				if foldsToField(key) {
					return frame{}, false
				}
				if !sc.value() {
					return frame{}, false
				}
			}
			sc.ws()
			switch sc.peek() {
			case ',':
				sc.i++
				sc.ws()
				continue
			case '}':
				sc.i++
			default:
				return frame{}, false
			}
			break
		}
	}
	sc.ws()
	if sc.i != len(data) || !haveOp {
		return frame{}, false
	}
	f.has = true
	return f, true
}

// restIsObject reports whether data, from the value at start to the
// envelope's closing brace, looks like one object ('{' to '}'), and where
// it ends.
func restIsObject(data []byte, start int) (end int, ok bool) {
	end = len(data) - 1 // data is trimmed and ends with the envelope's '}'
	if end <= start || data[end] != '}' || data[start] != '{' {
		return 0, false
	}
	end = skipWSBack(data, end)
	if end-start < 2 || data[end-1] != '}' {
		return 0, false
	}
	return end, true
}

// skipWSBack returns the offset just after the last byte before i that is
// not JSON whitespace.
func skipWSBack(b []byte, i int) int {
	for i > 0 && (b[i-1] == ' ' || b[i-1] == '\t' || b[i-1] == '\n' || b[i-1] == '\r') {
		i--
	}
	return i
}

// foldsToField reports a key that encoding/json would match to one of the
// frame's fields although it is not spelled exactly ("OP", "T", or a
// non-ASCII letter that folds to one).
func foldsToField(key []byte) bool {
	if !ascii(key) {
		return true
	}
	if len(key) > 2 {
		return false
	}
	return bytes.EqualFold(key, []byte("op")) || bytes.EqualFold(key, []byte("d")) ||
		bytes.EqualFold(key, []byte("s")) || bytes.EqualFold(key, []byte("t"))
}

func ascii(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// eventNames interns the dispatch names botrun knows, so that t costs no
// allocation for them.
var eventNames = func() map[string]string {
	m := make(map[string]string, len(eventIntents)+8)
	for name := range eventIntents {
		m[name] = name
	}
	for _, name := range []string{"READY", "RESUMED", "INTERACTION_CREATE", "APPLICATION_COMMAND_PERMISSIONS_UPDATE", "USER_UPDATE"} {
		m[name] = name
	}
	return m
}()

func eventName(b []byte) string {
	if string(b) == "MESSAGE_CREATE" { // most of any busy bot's traffic
		return "MESSAGE_CREATE"
	}
	if s, ok := eventNames[string(b)]; ok {
		return s
	}
	return string(b)
}

// scanner walks JSON text; i is the next byte to read.
type scanner struct {
	b []byte
	i int
}

// maxScanDepth bounds the nesting the fast path follows; deeper payloads go
// to encoding/json, which has its own limit.
const maxScanDepth = 64

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) lit(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

// str reads a string starting at the opening quote and returns its raw
// contents. plain is false for a malformed string and for one with escapes
// (its raw bytes are not its value).
func (s *scanner) str() (raw []byte, plain bool) {
	start := s.i + 1
	plain = true
	for i := start; i < len(s.b); i++ {
		if i = plainRun(s.b, i); i == len(s.b) {
			break
		}
		switch c := s.b[i]; {
		case c == '"':
			s.i = i + 1
			return s.b[start:i], plain
		case c == '\\':
			plain = false
			if i+1 >= len(s.b) {
				return nil, false
			}
			switch s.b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+5 >= len(s.b) {
					return nil, false
				}
				for _, h := range s.b[i+2 : i+6] {
					if !isHex(h) {
						return nil, false
					}
				}
				i += 5
			default:
				return nil, false
			}
		case c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// plainRun returns the index of the first quote, backslash or control
// character at or after i (len(b) if none). It tests eight bytes at a time
// (a zero byte in x^c marks c, so q-lsb sets its top bit; x-0x20 borrows
// into the top bit of a byte below 0x20; a top bit already set in x is a
// byte of a non-ASCII character, and x^c keeps it, so one &^x drops those);
// most of a message is the text of strings. Bytes before the first match
// set no bit and borrow nothing, so the lowest bit set is that match, and
// short strings (keys) need no byte loop. Small enough to be inlined.
func plainRun(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		q := x ^ (lsb * '"')
		bs := x ^ (lsb * '\\')
		if m := ((q - lsb) | (bs - lsb) | (x - lsb*0x20)) &^ x & msb; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(b) && strText[b[i]] {
		i++
	}
	return i
}

// strText marks the bytes that may stand for themselves in a string.
var strText = func() (t [256]bool) {
	for c := 0x20; c < 0x100; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skipStr is str for values, where escapes are fine.
func (s *scanner) skipStr() bool {
	raw, plain := s.str()
	return plain || raw != nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// int reads a JSON number that is a plain integer (no fraction or exponent)
// fitting comfortably in an int64; anything else is left to encoding/json.
func (s *scanner) int() (int64, bool) {
	i, neg := s.i, false
	if i < len(s.b) && s.b[i] == '-' {
		neg = true
		i++
	}
	start := i
	var n int64
	for i < len(s.b) && s.b[i] >= '0' && s.b[i] <= '9' {
		n = n*10 + int64(s.b[i]-'0')
		i++
	}
	digits := i - start
	if digits == 0 || digits > 18 || (digits > 1 && s.b[start] == '0') {
		return 0, false
	}
	if i < len(s.b) && (s.b[i] == '.' || s.b[i] == 'e' || s.b[i] == 'E') {
		return 0, false
	}
	s.i = i
	if neg {
		n = -n
	}
	return n, true
}

// number skips a JSON number (RFC 8259 grammar).
func (s *scanner) number() bool {
	i := s.i
	if i < len(s.b) && s.b[i] == '-' {
		i++
	}
	switch {
	case i < len(s.b) && s.b[i] == '0':
		i++
	case i < len(s.b) && s.b[i] >= '1' && s.b[i] <= '9':
		for i < len(s.b) && s.b[i] >= '0' && s.b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s.b) && s.b[i] == '.' {
		i++
		d := i
		for i < len(s.b) && s.b[i] >= '0' && s.b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(s.b) && (s.b[i] == 'e' || s.b[i] == 'E') {
		i++
		if i < len(s.b) && (s.b[i] == '+' || s.b[i] == '-') {
			i++
		}
		d := i
		for i < len(s.b) && s.b[i] >= '0' && s.b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	s.i = i
	return true
}

// value skips one JSON value, checking its grammar, without recursion: the
// stack holds '{' or '[' for each open container. The cursor is kept in a
// local while it runs; most of a dispatch is this walk over d.
func (s *scanner) value() bool {
	b, i := s.b, s.i
	var stack [maxScanDepth]byte
	depth := 0
	var ok bool
	for {
		// a value at i
		if i >= len(b) {
			return false
		}
		switch c := b[i]; {
		case c == '"':
			// most strings are plain: their end is the next quote
			if j := plainRun(b, i+1); j < len(b) && b[j] == '"' {
				i = j + 1
			} else if i, ok = skipStrAt(b, i); !ok {
				return false
			}
		case c == '{' || c == '[':
			if depth == maxScanDepth {
				return false
			}
			i = skipWS(b, i+1)
			if i < len(b) && b[i] == c+2 { // '{'+2 is '}', '['+2 is ']'
				i++
				break
			}
			stack[depth] = c
			depth++
			if c == '{' {
				if i, ok = keyAt(b, i); !ok {
					return false
				}
			}
			continue
		case c == '-' || c >= '0' && c <= '9':
			s.i = i
			if !s.number() {
				return false
			}
			i = s.i
		case c == 't':
			if !hasWord(b, i, "true") {
				return false
			}
			i += 4
		case c == 'f':
			if !hasWord(b, i, "false") {
				return false
			}
			i += 5
		case c == 'n':
			if !hasWord(b, i, "null") {
				return false
			}
			i += 4
		default:
			return false
		}
		// after a value: close containers or move to the next element
		for {
			if depth == 0 {
				s.i = i
				return true
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return false
			}
			open, c := stack[depth-1], b[i]
			if c == ',' {
				i = skipWS(b, i+1)
				if open == '{' {
					if i, ok = keyAt(b, i); !ok {
						return false
					}
				}
				break
			}
			if c != open+2 {
				return false
			}
			i++
			depth--
		}
	}
}

// keyAt reads the object key at i and its colon, and returns the offset
// of the value.
func keyAt(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return i, false
	}
	var ok bool
	if j := plainRun(b, i+1); j < len(b) && b[j] == '"' {
		i = j + 1
	} else if i, ok = skipStrAt(b, i); !ok {
		return i, false
	}
	if i < len(b) && b[i] == ':' { // compact JSON: no space around the colon
		return skipWS(b, i+1), true
	}
	i = skipWS(b, i)
	if i >= len(b) || b[i] != ':' {
		return i, false
	}
	return skipWS(b, i+1), true
}

// skipStrAt skips the string at i, escapes and all.
func skipStrAt(b []byte, i int) (int, bool) {
	s := scanner{b: b, i: i}
	ok := s.skipStr()
	return s.i, ok
}

// skipWS returns the offset of the first byte at or after i that is not
// JSON whitespace.
func skipWS(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func hasWord(b []byte, i int, word string) bool {
	return len(b)-i >= len(word) && string(b[i:i+len(word)]) == word
}
