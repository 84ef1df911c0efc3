package jsondoc

import (
	"encoding/binary"
	"sync"
)

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
	nodes, text, nc, err := s.tape(data, 0, 0, true)
	var d *Doc
	if err == nil {
		d = newDoc(data, nodes, text, nc, own)
	}
	s.release()
	return d, err
}

// scratch is the parser's reusable working memory. A tape is built here,
// where the buffers are warm and already large enough, and then copied
// into one allocation of exactly the right size.
type scratch struct {
	nodes []node
	text  []byte // decoded strings and containers' extents
	open  []bool // the open containers, innermost last: true for an object
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{
		nodes: make([]node, 0, 128),
		text:  make([]byte, 0, 256),
		open:  make([]bool, 0, 32),
	}
}}

// maxPooled bounds the scratch memory kept between parses (in elements);
// one huge document should not pin its working memory for good.
const maxPooled = 1 << 16

func (s *scratch) release() {
	if cap(s.nodes) > maxPooled || cap(s.open) > maxPooled || cap(s.text) > 16*maxPooled {
		return
	}
	scratchPool.Put(s)
}

// tape parses the value at src[i:] into s's working memory: the value's
// node and, when it is a container, its children's nodes. Everything
// deeper is checked byte by byte, with the same errors at the same
// offsets, but not recorded: a container among the children records only
// where its text ends and its ordinal (its number in document order, the
// document's root being 0), and gets a tape of its own when it is first
// read. ord is the ordinal of the value at i if it is a container; nc is
// how many containers the value holds, itself included.
//
// With whole, src is a document (Parse) and nothing may follow the value.
// Otherwise the value is a container that Parse accepted, and parsing
// stops where it ends.
func (s *scratch) tape(src []byte, i int, ord int32, whole bool) (nodes []node, text []byte, nc int32, err error) {
	nodes, text = s.nodes[:0], s.text[:0]
	open := s.open[:0]
	inObj := false // the innermost open container is an object
	var c byte
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
	case c == '{' || c == '[':
		goto opened
	case c == '"' && len(open) > 1:
		// inside a container this tape does not index: only checked
		if j := skipPlain(src, i+1); j < len(src) && src[j] == '"' {
			i = j + 1
		} else if i, err = skipStr(src, i); err != nil {
			goto fail
		}
		goto next
	case c == '"':
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
		goto next
	case c-'0' < 10:
		// the common case, an integer without sign, in place
		end = i + 1
		if c != '0' {
			for end < len(src) && src[end]-'0' < 10 {
				end++
			}
		}
		if end < len(src) && (src[end] == '.' || src[end] == 'e' || src[end] == 'E') {
			end, err = number(src, i)
		}
	case c == '-':
		end, err = number(src, i)
	case c == 't' && len(src)-i >= 4 && string(src[i:i+4]) == "true":
		end = i + 4
	case c == 'f' && len(src)-i >= 5 && string(src[i:i+5]) == "false":
		end = i + 5
	case c == 'n' && len(src)-i >= 4 && string(src[i:i+4]) == "null":
		end = i + 4
	default:
		err = valueErr(src, i)
	}
	if err != nil {
		goto fail
	}
	if len(open) <= 1 {
		nodes = append(nodes, node{start: int32(i), end: int32(end)})
	}
	i = end
	goto next

opened: // a container opens at i
	if len(open) >= MaxDepth {
		err = &SyntaxError{Offset: i, Msg: ErrTooDeep.Error(), err: ErrTooDeep}
		goto fail
	}
	if len(open) <= 1 {
		// Its node points at its extent: where its text ends (set when it
		// closes) and its ordinal.
		off := len(text)
		text = binary.LittleEndian.AppendUint64(text, uint64(uint32(ord+nc))<<32)
		nodes = append(nodes, node{start: int32(i), end: ^int32(off)})
	}
	nc++
	inObj = c == '{'
	open = append(open, inObj)
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
	goto value

next: // a value ended at i
	if i < len(src) && src[i] <= ' ' { // compact JSON has none
		i = skipSpace(src, i)
	}
	if len(open) == 0 {
		if whole && i < len(src) {
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
		goto value
	case ']':
		i++
		goto closed
	}
	err = errAt(i, "invalid character %s after array element (want ',' or ']')", quoteChar(c))
	goto fail

closed: // the innermost open container ended just before i
	open = open[:len(open)-1]
	if len(open) <= 1 {
		// A recorded container: the tape's root, or the last node, since
		// nothing inside a child is recorded.
		k := 0
		if len(open) == 1 {
			k = len(nodes) - 1
		}
		binary.LittleEndian.PutUint32(text[^nodes[k].end:], uint32(i))
	}
	inObj = len(open) > 0 && open[len(open)-1]
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
		if len(open) == 1 {
			nodes = append(nodes, node{start: int32(i), end: int32(j + 1)})
		}
		i = j + 1
	} else if len(open) == 1 {
		if nd, end, text, err = str(src, i, text); err != nil {
			goto fail
		}
		nodes = append(nodes, nd)
		i = end
	} else if i, err = skipStr(src, i); err != nil {
		goto fail
	}
	if i < len(src) && src[i] == ':' { // compact JSON: no space to skip
		i++
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
	goto value

fail:
	s.nodes, s.text, s.open = nodes, text, open[:0]
	return nil, nil, 0, err

done:
	s.nodes, s.text, s.open = nodes, text, open[:0]
	return nodes, text, nc, nil
}

// valueErr describes what is wrong with the value at i.
func valueErr(src []byte, i int) error {
	switch src[i] {
	case 't':
		return literalErr(src, i, "true")
	case 'f':
		return literalErr(src, i, "false")
	case 'n':
		return literalErr(src, i, "null")
	}
	return errAt(i, "invalid character %s looking for beginning of value", quoteChar(src[i]))
}
