package jsondoc

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// node is one value on the tape, 8 bytes; src[start:] is the value's text
// (strings with their quotes), and its first byte tells the kind. For
// numbers, literals and strings as written, end is where the text ends.
// Otherwise end is ^off, the complement of an offset to the rest:
//   - a container's is in kids: kids[off] is where its text ends,
//     kids[off+1] its number of children, and the next that many are the
//     node indexes of the elements, or of the field values (a field's key
//     is always the node just before its value);
//   - a string whose text had escapes or invalid UTF-8 has its decoded
//     form in text: at off, where its source text ends and the decoded
//     length (little-endian int32s), then the bytes (never "").
type node struct {
	start, end int32
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
	return parse(data, false)
}

// ParseCopy is Parse for data the caller will reuse: the Doc keeps its own
// copy of data, in the same allocation as its tape, so data may be
// modified as soon as ParseCopy returns. It costs the same allocations as
// Parse, which lets a reader hand over a reused read buffer instead of a
// fresh copy of every message.
func ParseCopy(data []byte) (*Doc, error) {
	return parse(data, true)
}

func parse(data []byte, own bool) (*Doc, error) {
	if len(data) > 1<<31-1 {
		return nil, &SyntaxError{Offset: 0, Msg: "document larger than 2 GiB"}
	}
	s := scratchPool.Get().(*scratch)
	s.own = own
	d, err := s.parse(data)
	s.release()
	return d, err
}

// scratch is Parse's reusable working memory. The tape is built here,
// where the buffers are warm and already large enough, and then copied
// into one allocation of exactly the right size.
type scratch struct {
	nodes   []node
	kids    []int32
	text    []byte  // decoded strings
	pending []int32 // children of the open containers, innermost last
	open    []openContainer
	own     bool // the Doc copies the source into its tape block (ParseCopy)
}

type openContainer struct {
	node int32 // the container's node
	base int32 // where its children start in pending
	obj  bool
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{
		nodes:   make([]node, 0, 512),
		kids:    make([]int32, 0, 256),
		pending: make([]int32, 0, 256),
		open:    make([]openContainer, 0, 32),
	}
}}

// maxPooled bounds the scratch memory kept between parses (in elements);
// one huge document should not pin its working memory for good.
const maxPooled = 1 << 16

func (s *scratch) release() {
	if cap(s.nodes) > maxPooled || cap(s.kids) > maxPooled || cap(s.pending) > maxPooled || cap(s.text) > 16*maxPooled {
		return
	}
	scratchPool.Put(s)
}

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

// parse parses src iteratively: an explicit stack of open containers, the
// cursor and the tape in local variables, one loop over tokens.
func (s *scratch) parse(src []byte) (*Doc, error) {
	nodes, kids, text := s.nodes[:0], s.kids[:0], s.text[:0]
	pending, open := s.pending[:0], s.open[:0]
	i := 0
	inObj := false // the innermost open container is an object
	var c byte
	var err error
	var nd node
	var end int

value: // expecting a value at i
	if i < len(src) && src[i] <= ' ' { // compact JSON has none
		i = skipSpace(src, i)
	}
	if i >= len(src) {
		err = eof(src)
		goto fail
	}
	c = src[i]
	switch {
	case c == '"':
		if j := skipPlain(src, i+1); j < len(src) && src[j] == '"' {
			nodes = append(nodes, node{start: int32(i), end: int32(j + 1)})
			i = j + 1
			break
		}
		if nd, end, text, err = str(src, i, text); err != nil {
			goto fail
		}
		nodes = append(nodes, nd)
		i = end
	case c == '{' || c == '[':
		if len(open) >= MaxDepth {
			err = &SyntaxError{Offset: i, Msg: ErrTooDeep.Error(), err: ErrTooDeep}
			goto fail
		}
		open = append(open, openContainer{node: int32(len(nodes)), base: int32(len(pending)), obj: c == '{'})
		nodes = append(nodes, node{start: int32(i)})
		inObj = c == '{'
		i++
		for i < len(src) && isSpace[src[i]] {
			i++
		}
		if i < len(src) && src[i] == c+2 { // '{'+2 is '}', '['+2 is ']'
			i++
			goto closed
		}
		if inObj {
			goto key
		}
		pending = append(pending, int32(len(nodes)))
		goto value
	case c >= '0' && c <= '9':
		// the common case, an integer without sign, in place
		end = i + 1
		if c != '0' {
			for end < len(src) && src[end]-'0' < 10 {
				end++
			}
		}
		if end == len(src) || src[end] != '.' && src[end] != 'e' && src[end] != 'E' {
			nodes = append(nodes, node{start: int32(i), end: int32(end)})
			i = end
			break
		}
		fallthrough
	case c == '-':
		nd.start = int32(i)
		if i, err = number(src, i); err != nil {
			goto fail
		}
		nodes = append(nodes, node{start: nd.start, end: int32(i)})
	case c == 't' && len(src)-i >= 4 && string(src[i:i+4]) == "true":
		nodes = append(nodes, node{start: int32(i), end: int32(i + 4)})
		i += 4
	case c == 'f' && len(src)-i >= 5 && string(src[i:i+5]) == "false":
		nodes = append(nodes, node{start: int32(i), end: int32(i + 5)})
		i += 5
	case c == 'n' && len(src)-i >= 4 && string(src[i:i+4]) == "null":
		nodes = append(nodes, node{start: int32(i), end: int32(i + 4)})
		i += 4
	case c == 't':
		err = literalErr(src, i, "true")
		goto fail
	case c == 'f':
		err = literalErr(src, i, "false")
		goto fail
	case c == 'n':
		err = literalErr(src, i, "null")
		goto fail
	default:
		err = errAt(i, "invalid character %s looking for beginning of value", quoteChar(c))
		goto fail
	}

next: // a value ended at i
	if i < len(src) && src[i] <= ' ' { // compact JSON has none
		i = skipSpace(src, i)
	}
	if len(open) == 0 {
		if i < len(src) {
			err = errAt(i, "invalid character %s after top-level value", quoteChar(src[i]))
			goto fail
		}
		goto done
	}
	if i >= len(src) {
		err = eof(src)
		goto fail
	}
	c = src[i]
	if inObj {
		switch c {
		case ',':
			i++
			goto key
		case '}':
			i++
			goto closed
		}
		err = errAt(i, "invalid character %s after object key:value pair (want ',' or '}')", quoteChar(c))
		goto fail
	}
	switch c {
	case ',':
		i++
		pending = append(pending, int32(len(nodes)))
		goto value
	case ']':
		i++
		goto closed
	}
	err = errAt(i, "invalid character %s after array element (want ',' or ']')", quoteChar(c))
	goto fail

closed: // the innermost open container ended just before i: its
	// children move from pending to kids, so that every container's
	// children are contiguous
	{
		o := open[len(open)-1]
		open = open[:len(open)-1]
		nodes[o.node].end = ^int32(len(kids))
		kids = append(kids, int32(i), int32(len(pending))-o.base)
		kids = append(kids, pending[o.base:]...)
		pending = pending[:o.base]
		inObj = len(open) > 0 && open[len(open)-1].obj
	}
	goto next

key: // expecting an object key at i
	if i < len(src) && src[i] <= ' ' { // compact JSON has none
		i = skipSpace(src, i)
	}
	if i >= len(src) {
		err = eof(src)
		goto fail
	}
	if src[i] != '"' {
		err = errAt(i, "invalid character %s looking for beginning of object key string", quoteChar(src[i]))
		goto fail
	}
	if j := skipPlain(src, i+1); j < len(src) && src[j] == '"' {
		nodes = append(nodes, node{start: int32(i), end: int32(j + 1)})
		i = j + 1
	} else {
		if nd, end, text, err = str(src, i, text); err != nil {
			goto fail
		}
		nodes = append(nodes, nd)
		i = end
	}
	if i < len(src) && src[i] == ':' { // compact JSON: no space to skip
		i++
		pending = append(pending, int32(len(nodes)))
		goto value
	}
	for i < len(src) && isSpace[src[i]] {
		i++
	}
	if i >= len(src) {
		err = eof(src)
		goto fail
	}
	if src[i] != ':' {
		err = errAt(i, "invalid character %s after object key (want ':')", quoteChar(src[i]))
		goto fail
	}
	i++
	pending = append(pending, int32(len(nodes)))
	goto value

fail:
	s.nodes, s.kids, s.text, s.pending, s.open = nodes, kids, text, pending[:0], open[:0]
	return nil, err

done:
	s.nodes, s.kids, s.text, s.pending, s.open = nodes, kids, text, pending[:0], open[:0]
	return newDoc(src, nodes, kids, text, s.own), nil
}

// newDoc copies a finished tape into one pointer-free allocation: the
// nodes, then the kids and the decoded text in the same block, so a Doc
// costs two allocations (itself and its tape) and no slack.
func newDoc(src []byte, nodes []node, kids []int32, text []byte, own bool) *Doc {
	const nodeSize = int(unsafe.Sizeof(node{}))
	nn := len(nodes)
	nk := (len(kids)*4 + nodeSize - 1) / nodeSize
	nt := (len(text) + nodeSize - 1) / nodeSize
	ns := 0
	if own {
		ns = (len(src) + nodeSize - 1) / nodeSize
	}
	tape := make([]node, nn+nk+nt+ns)
	copy(tape, nodes)
	if own && len(src) > 0 {
		b := unsafe.Slice((*byte)(unsafe.Pointer(&tape[nn+nk+nt])), len(src))
		copy(b, src)
		src = b
	}
	d := &Doc{src: src, nodes: tape[:nn:nn]}
	if len(kids) > 0 {
		d.kids = unsafe.Slice((*int32)(unsafe.Pointer(&tape[nn])), len(kids))
		copy(d.kids, kids)
	}
	if len(text) > 0 {
		d.text = unsafe.Slice((*byte)(unsafe.Pointer(&tape[nn+nk])), len(text))
		copy(d.text, text)
	}
	return d
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
