package jsondoc

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// isSpace marks JSON whitespace.
var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// skipSpace returns the offset of the first byte at or after i that is
// not whitespace.
func skipSpace(src []byte, i int) int {
	for i < len(src) && isSpace[src[i]] {
		i++
	}
	return i
}

func errAt(i int, format string, args ...any) error {
	return &SyntaxError{Offset: i, Msg: fmt.Sprintf(format, args...)}
}

func eof(src []byte) error {
	return &SyntaxError{Offset: len(src), Msg: "unexpected end of input"}
}

// literalErr describes the error in a literal at i that is not word.
func literalErr(src []byte, i int, word string) error {
	for j := 0; j < len(word); j++ {
		if i >= len(src) {
			return eof(src)
		}
		if src[i] != word[j] {
			return errAt(i, "invalid character %s in literal %s", quoteChar(src[i]), word)
		}
		i++
	}
	return errAt(i, "invalid literal %s", word) // not reached: word was there
}

// plain marks the bytes a string can hold as-is: printable ASCII other
// than the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skipPlain returns the offset of the first non-plain byte at or after i,
// testing eight bytes at a time: ids, names and content are mostly long
// runs of plain ASCII, and keys are short.
func skipPlain(src []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for i+8 <= len(src) {
		x := binary.LittleEndian.Uint64(src[i:])
		q := x ^ ('"' * ones)
		b := x ^ ('\\' * ones)
		// Any byte < 0x20, == '"', == '\\' or >= 0x80 sets its high bit.
		// Bytes below the first such byte set nothing and borrow nothing,
		// so the lowest bit set marks exactly that byte.
		if m := ((x - 0x20*ones) | (q - ones) | (b - ones) | x) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(src) && plain[src[i]] {
		i++
	}
	return i
}

// str parses the string whose opening quote is at start and returns its
// node and the offset after its closing quote. Plain ASCII and valid UTF-8
// stay in the source; anything else is decoded once and appended to text,
// which str returns.
func str(src []byte, start int, text []byte) (node, int, []byte, error) {
	i := skipPlain(src, start+1)
	for {
		if i >= len(src) {
			return node{}, 0, text, eof(src)
		}
		c := src[i]
		if c == '"' {
			return node{start: int32(start), end: int32(i + 1)}, i + 1, text, nil
		}
		if c < utf8.RuneSelf {
			break // a backslash or a control character
		}
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i = skipPlain(src, i+size)
	}
	return decodeStr(src, start, i, text)
}

// decodeStr finishes a string that needs decoding; src[start] is its
// opening quote and src[start+1:from] is plain text.
func decodeStr(src []byte, start, from int, text []byte) (node, int, []byte, error) {
	off := len(text)
	b := append(text, 0, 0, 0, 0, 0, 0, 0, 0) // end and length, set below
	b = append(b, src[start+1:from]...)
	i := from
	for {
		if i >= len(src) {
			return node{}, 0, text, eof(src)
		}
		c := src[i]
		switch {
		case c == '"':
			i++
			binary.LittleEndian.PutUint32(b[off:], uint32(i))
			binary.LittleEndian.PutUint32(b[off+4:], uint32(len(b)-off-8))
			return node{start: int32(start), end: ^int32(off)}, i, b, nil
		case c == '\\':
			if i+1 >= len(src) {
				return node{}, 0, text, eof(src)
			}
			e := src[i+1]
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, err := hex4(src, i+2)
				if err != nil {
					return node{}, 0, text, err
				}
				i += 6
				if utf16.IsSurrogate(r) {
					// A high surrogate joins a following \u low surrogate;
					// anything else is a lone surrogate, which decodes to
					// U+FFFD as encoding/json does.
					r2 := utf8.RuneError
					if i+1 < len(src) && src[i] == '\\' && src[i+1] == 'u' {
						if x, err := hex4(src, i+2); err == nil {
							r2 = x
						}
					}
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, r)
				continue
			default:
				return node{}, 0, text, errAt(i+1, "invalid escape character %s in string", quoteChar(e))
			}
			i += 2
		case c < 0x20:
			return node{}, 0, text, errAt(i, "invalid control character %s in string (must be escaped)", quoteChar(c))
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && size == 1 {
				// Invalid UTF-8 is replaced, as encoding/json does, so a
				// script never sees broken text.
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, src[i:i+size]...)
			}
			i += size
		}
	}
}

// skipStr checks the string whose opening quote is at i, as str would
// (same errors at the same offsets), without decoding it, and returns the
// offset after its closing quote: strings inside containers that are not
// indexed yet are only validated.
func skipStr(src []byte, i int) (int, error) {
	i++
	for {
		i = skipPlain(src, i)
		if i >= len(src) {
			return 0, eof(src)
		}
		switch c := src[i]; {
		case c == '"':
			return i + 1, nil
		case c == '\\':
			if i+1 >= len(src) {
				return 0, eof(src)
			}
			switch e := src[i+1]; e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				// A surrogate's partner is checked as an escape of its own,
				// which rejects exactly what decodeStr rejects.
				if _, err := hex4(src, i+2); err != nil {
					return 0, err
				}
				i += 6
			default:
				return 0, errAt(i+1, "invalid escape character %s in string", quoteChar(e))
			}
		case c < 0x20:
			return 0, errAt(i, "invalid control character %s in string (must be escaped)", quoteChar(c))
		default:
			i++ // UTF-8, valid or not: decoding replaces what is invalid
		}
	}
}

// hex4 reads the four hex digits of a \u escape at src[i:].
func hex4(src []byte, i int) (rune, error) {
	var r rune
	for j := i; j < i+4; j++ {
		if j >= len(src) {
			return 0, eof(src)
		}
		c := src[j]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, errAt(j, "invalid character %s in \\u escape (want 4 hex digits)", quoteChar(src[j]))
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}

// number checks the RFC 8259 number grammar starting at i,
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, and returns its end.
func number(src []byte, i int) (int, error) {
	if src[i] == '-' {
		i++
	}
	var err error
	if i < len(src) && src[i] == '0' {
		i++
	} else if i, err = digits(src, i, "after '-'"); err != nil {
		return i, err
	}
	if i < len(src) && src[i] == '.' {
		if i, err = digits(src, i+1, "after the decimal point"); err != nil {
			return i, err
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		if i, err = digits(src, i, "in the exponent"); err != nil {
			return i, err
		}
	}
	return i, nil
}

// digits skips one or more decimal digits at i.
func digits(src []byte, i int, what string) (int, error) {
	if i >= len(src) {
		return i, eof(src)
	}
	if src[i] < '0' || src[i] > '9' {
		return i, errAt(i, "invalid character %s in number (want a digit %s)", quoteChar(src[i]), what)
	}
	for i < len(src) && src[i] >= '0' && src[i] <= '9' {
		i++
	}
	return i, nil
}

func quoteChar(c byte) string {
	switch {
	case c == '\'':
		return `'\''`
	case c >= 0x20 && c < 0x7f:
		return "'" + string(c) + "'"
	default:
		return fmt.Sprintf("byte 0x%02x", c)
	}
}
