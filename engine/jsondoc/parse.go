package jsondoc

import (
	"encoding/binary"
	"fmt"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// node is one value on the tape, 16 bytes. src[start:end] is the value's
// text (strings with their quotes); its first byte tells the kind. For
// containers, kids[a:a+n] are the node indexes of the elements, or of the
// field values: a field's key is always the node just before its value.
// For a string, n > 0 means its text had escapes or invalid UTF-8 and
// Doc.text[a:a+n] is the decoded form (decoding never yields "").
type node struct {
	start, end int32
	a, n       int32
}

// Doc is a parsed, immutable JSON document. It is safe for concurrent use.
type Doc struct {
	src   []byte
	nodes []node
	kids  []int32
	text  []byte // decoded strings, back to back; never modified after Parse
}

// Parse parses data as one JSON value (RFC 8259, nesting at most MaxDepth).
// The Doc shares data's bytes, so data must not be modified afterwards.
// A failure is a *SyntaxError giving the byte offset.
func Parse(data []byte) (*Doc, error) {
	if len(data) > 1<<31-1 {
		return nil, &SyntaxError{Offset: 0, Msg: "document larger than 2 GiB"}
	}
	s := scratchPool.Get().(*scratch)
	p := parser{src: data, scratch: s}
	// Discord payloads average one value per 11 bytes and one container
	// child per 20; sizing the tape up front saves growth copies.
	p.nodes = make([]node, 0, len(data)/10+8)
	p.kids = make([]int32, 0, len(data)/20+8)
	err := p.run()
	s.pending, s.open = s.pending[:0], s.open[:0]
	scratchPool.Put(s)
	if err != nil {
		return nil, err
	}
	return &Doc{src: data, nodes: p.nodes, kids: p.kids, text: p.text}, nil
}

// scratch is Parse's reusable working memory.
type scratch struct {
	pending []int32 // children of the open containers, innermost last
	open    []frame // the open containers, innermost last
}

type frame struct {
	node int32 // the container's node
	base int32 // where its children start in pending
	obj  bool
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{pending: make([]int32, 0, 256), open: make([]frame, 0, 32)}
}}

type parser struct {
	src   []byte
	nodes []node
	kids  []int32
	text  []byte // Doc.text being built
	*scratch
}

// isSpace marks JSON whitespace.
var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// run parses the whole input iteratively: an explicit stack of open
// containers, the cursor in a local variable, one loop over tokens.
func (p *parser) run() error {
	src := p.src
	i := 0
	var err error
	var c byte

value: // expecting a value at i
	for i < len(src) && isSpace[src[i]] {
		i++
	}
	if i >= len(src) {
		return eof(src)
	}
	c = src[i]
	switch {
	case c == '"':
		if i, err = p.str(i); err != nil {
			return err
		}
	case c == '{' || c == '[':
		if len(p.open) >= MaxDepth {
			return &SyntaxError{Offset: i, Msg: ErrTooDeep.Error(), err: ErrTooDeep}
		}
		p.open = append(p.open, frame{node: int32(len(p.nodes)), base: int32(len(p.pending)), obj: c == '{'})
		p.nodes = append(p.nodes, node{start: int32(i)})
		i++
		for i < len(src) && isSpace[src[i]] {
			i++
		}
		if i < len(src) && (src[i] == '}' && c == '{' || src[i] == ']' && c == '[') {
			i++
			p.close(i)
			goto next
		}
		if c == '{' {
			goto key
		}
		p.pending = append(p.pending, int32(len(p.nodes)))
		goto value
	case c == '-' || c >= '0' && c <= '9':
		if i, err = p.number(i); err != nil {
			return err
		}
	case c == 't':
		if i, err = p.literal(i, "true"); err != nil {
			return err
		}
	case c == 'f':
		if i, err = p.literal(i, "false"); err != nil {
			return err
		}
	case c == 'n':
		if i, err = p.literal(i, "null"); err != nil {
			return err
		}
	default:
		return errAt(i, "invalid character %s looking for beginning of value", quoteChar(c))
	}

next: // a value ended at i
	for i < len(src) && isSpace[src[i]] {
		i++
	}
	if len(p.open) == 0 {
		if i < len(src) {
			return errAt(i, "invalid character %s after top-level value", quoteChar(src[i]))
		}
		return nil
	}
	if i >= len(src) {
		return eof(src)
	}
	c = src[i]
	if p.open[len(p.open)-1].obj {
		switch c {
		case ',':
			i++
			goto key
		case '}':
			i++
			p.close(i)
			goto next
		}
		return errAt(i, "invalid character %s after object key:value pair (want ',' or '}')", quoteChar(c))
	}
	switch c {
	case ',':
		i++
		p.pending = append(p.pending, int32(len(p.nodes)))
		goto value
	case ']':
		i++
		p.close(i)
		goto next
	}
	return errAt(i, "invalid character %s after array element (want ',' or ']')", quoteChar(c))

key: // expecting an object key at i
	for i < len(src) && isSpace[src[i]] {
		i++
	}
	if i >= len(src) {
		return eof(src)
	}
	if src[i] != '"' {
		return errAt(i, "invalid character %s looking for beginning of object key string", quoteChar(src[i]))
	}
	if i, err = p.str(i); err != nil {
		return err
	}
	for i < len(src) && isSpace[src[i]] {
		i++
	}
	if i >= len(src) {
		return eof(src)
	}
	if src[i] != ':' {
		return errAt(i, "invalid character %s after object key (want ':')", quoteChar(src[i]))
	}
	i++
	p.pending = append(p.pending, int32(len(p.nodes)))
	goto value
}

// close ends the innermost open container at end, moving its children
// from pending to kids so that every container's children are contiguous.
func (p *parser) close(end int) {
	f := p.open[len(p.open)-1]
	p.open = p.open[:len(p.open)-1]
	nd := &p.nodes[f.node]
	nd.end = int32(end)
	nd.a = int32(len(p.kids))
	nd.n = int32(len(p.pending)) - f.base
	p.kids = append(p.kids, p.pending[f.base:]...)
	p.pending = p.pending[:f.base]
}

func errAt(i int, format string, args ...any) error {
	return &SyntaxError{Offset: i, Msg: fmt.Sprintf(format, args...)}
}

func eof(src []byte) error {
	return &SyntaxError{Offset: len(src), Msg: "unexpected end of input"}
}

func (p *parser) literal(i int, word string) (int, error) {
	start := i
	for j := 0; j < len(word); j++ {
		if i >= len(p.src) {
			return i, eof(p.src)
		}
		if p.src[i] != word[j] {
			return i, errAt(i, "invalid character %s in literal %s", quoteChar(p.src[i]), word)
		}
		i++
	}
	p.nodes = append(p.nodes, node{start: int32(start), end: int32(i)})
	return i, nil
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
// runs of plain ASCII.
func skipPlain(src []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for i+8 <= len(src) {
		x := binary.LittleEndian.Uint64(src[i:])
		q := x ^ ('"' * ones)
		b := x ^ ('\\' * ones)
		// Any byte < 0x20, == '"', == '\\' or >= 0x80 sets a high bit.
		if ((x-0x20*ones)|(q-ones)|(b-ones)|x)&highs != 0 {
			break
		}
		i += 8
	}
	for i < len(src) && plain[src[i]] {
		i++
	}
	return i
}

// str parses the string whose opening quote is at start and returns the
// offset after its closing quote. Plain ASCII and valid UTF-8 stay in the
// source; anything else is decoded once, into Doc.text.
func (p *parser) str(start int) (int, error) {
	src := p.src
	i := start + 1
	for {
		i = skipPlain(src, i)
		if i >= len(src) {
			return i, eof(src)
		}
		c := src[i]
		if c == '"' {
			i++
			p.nodes = append(p.nodes, node{start: int32(start), end: int32(i)})
			return i, nil
		}
		if c < utf8.RuneSelf {
			break // a backslash or a control character
		}
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	return p.decodeStr(start, i)
}

// decodeStr finishes a string that needs decoding; src[start] is its
// opening quote and src[start+1:from] is plain text.
func (p *parser) decodeStr(start, from int) (int, error) {
	src := p.src
	if p.text == nil {
		// One arena holds every decoded string of the document.
		p.text = make([]byte, 0, max(256, 2*(from-start)))
	}
	off := len(p.text)
	b := append(p.text, src[start+1:from]...)
	i := from
	for {
		if i >= len(src) {
			return i, eof(src)
		}
		c := src[i]
		switch {
		case c == '"':
			i++
			p.nodes = append(p.nodes, node{start: int32(start), end: int32(i), a: int32(off), n: int32(len(b) - off)})
			p.text = b
			return i, nil
		case c == '\\':
			if i+1 >= len(src) {
				return i, eof(src)
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
					return i, err
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
				return i, errAt(i+1, "invalid escape character %s in string", quoteChar(e))
			}
			i += 2
		case c < 0x20:
			return i, errAt(i, "invalid control character %s in string (must be escaped)", quoteChar(c))
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
func (p *parser) number(i int) (int, error) {
	src := p.src
	start := i
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
	p.nodes = append(p.nodes, node{start: int32(start), end: int32(i)})
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
