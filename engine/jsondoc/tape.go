package jsondoc

import (
	"encoding/binary"
	"sync/atomic"
	"unsafe"
)

// node is one value on a tape, 8 bytes; src[start:] is the value's text
// (strings with their quotes), and its first byte tells the kind. For
// numbers, literals and strings as written, end is where the text ends.
// Otherwise end is ^off, the complement of an offset into the tape's
// text, where two little-endian uint32s start:
//   - for a container, where its text ends and its ordinal, which names
//     the tape of its children;
//   - for a string whose text had escapes or invalid UTF-8, where its
//     text ends and its decoded length; the decoded bytes follow (never "").
type node struct {
	start, end int32
}

const nodeSize = int(unsafe.Sizeof(node{}))

// A tape is one container's index: its own node, then its children's
// nodes in document order (an object's as key, value pairs), then the
// text its nodes point into. Tape 0, made by Parse, is the document's
// root value and, if that is a container, its children. The tape of any
// other container is made when it is first read and is then published
// for good; its number is the container's ordinal.
//
// A tape lives in one pointer-free block of nodes: a header, the nodes,
// the text. A tape is named by a pointer to its header.
type header struct {
	nodes, text int32 // how many nodes, how many bytes of text
	ord         int32 // the tape's number
	_           int32
}

const headerSize = int(unsafe.Sizeof(header{}))

// Doc is a parsed, immutable JSON document. It is safe for concurrent use.
type Doc struct {
	src  []byte
	root *header // tape 0
	nc   int32   // how many containers the document holds (ordinals 0 to nc-1)
	// scans counts the Gets answered by scanning (see scanGet); past
	// maxScans the Doc is evidently read a lot (many scripts, or a busy
	// handler), and objects get their tapes instead.
	scans atomic.Int32
	// near holds the first tapes made after Parse, which are all most
	// handlers read (msg.author, msg.member), without a table.
	near [nearTapes]atomic.Pointer[header]
	// far is the first of nc slots, indexed by ordinal, for the tapes made
	// once near is full; it is allocated then.
	far atomic.Pointer[atomic.Pointer[header]]
}

// nearTapes is how many tapes a Doc holds without a table: enough for
// what handlers read, few enough that the Doc stays 80 bytes.
const nearTapes = 4

// Readers that race to make a tape may each build it. Whichever copy a
// reader then uses, it is the same, since a tape depends only on the
// source, so publishing needs no lock: a slot, once set, never changes.

// newDoc copies a finished tape 0 into one pointer-free allocation, with
// the source after it for ParseCopy, so a Doc costs two allocations
// (itself and that block) whatever its shape.
func newDoc(src []byte, nodes []node, text []byte, nc int32, own bool) *Doc {
	extra := 0
	if own {
		extra = len(src)
	}
	h, rest := newTape(nodes, text, 0, extra)
	if own && len(src) > 0 {
		copy(rest, src)
		src = rest
	}
	return &Doc{src: src, root: h, nc: nc}
}

// newTape copies nodes and text into a new block for tape ord, followed
// by extra spare bytes, which it returns.
func newTape(nodes []node, text []byte, ord int32, extra int) (h *header, rest []byte) {
	const hn = headerSize / nodeSize
	nn := hn + len(nodes)
	nt := (len(text) + nodeSize - 1) / nodeSize
	ns := (extra + nodeSize - 1) / nodeSize
	block := make([]node, nn+nt+ns)
	h = (*header)(unsafe.Pointer(&block[0]))
	*h = header{nodes: int32(len(nodes)), text: int32(len(text)), ord: ord}
	copy(block[hn:], nodes)
	if len(text) > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&block[nn])), len(text)), text)
	}
	if extra > 0 {
		rest = unsafe.Slice((*byte)(unsafe.Pointer(&block[nn+nt])), extra)
	}
	return h, rest
}

// tapeNodes is the nodes of tape h (never empty).
func tapeNodes(h *header) []node {
	return unsafe.Slice((*node)(unsafe.Add(unsafe.Pointer(h), headerSize)), h.nodes)
}

// tapeText is the text of tape h.
func tapeText(h *header) []byte {
	if h.text == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(h), headerSize+nodeSize*int(h.nodes))), h.text)
}

// tape is tape t; it must have been made.
func (d *Doc) tape(t int32) *header {
	if t == 0 {
		return d.root
	}
	return d.lookup(t)
}

// sub is the tape of the container with ordinal k > 0 whose text starts
// at start, made now if no reader has made it yet.
func (d *Doc) sub(k, start int32) *header {
	if k <= 0 || k >= d.nc {
		// Only if the source was changed after Parse (see index): the
		// ordinals no longer match.
		h, _ := newTape([]node{{start: start, end: start}}, nil, 0, 0)
		return h
	}
	var made *header
	for i := range d.near {
		slot := &d.near[i]
		h := slot.Load()
		if h == nil {
			if made == nil {
				made = d.index(k, start)
			}
			if slot.CompareAndSwap(nil, made) {
				return made
			}
			h = slot.Load()
		}
		if h.ord == k {
			return h
		}
	}
	p := d.far.Load()
	if p == nil {
		far := make([]atomic.Pointer[header], d.nc)
		if d.far.CompareAndSwap(nil, &far[0]) {
			p = &far[0]
		} else {
			p = d.far.Load()
		}
	}
	slot := &unsafe.Slice(p, d.nc)[k]
	if h := slot.Load(); h != nil {
		return h
	}
	if made == nil {
		made = d.index(k, start)
	}
	if !slot.CompareAndSwap(nil, made) {
		return slot.Load()
	}
	return made
}

// lookup is the tape of the container with ordinal k > 0 if some reader
// has made it, else nil.
func (d *Doc) lookup(k int32) *header {
	for i := range d.near {
		h := d.near[i].Load()
		if h == nil {
			return nil // the slots fill in order
		}
		if h.ord == k {
			return h
		}
	}
	if p := d.far.Load(); p != nil && k > 0 && k < d.nc {
		return unsafe.Slice(p, d.nc)[k].Load()
	}
	return nil
}

// index makes the tape of the container with ordinal k at start.
func (d *Doc) index(k, start int32) *header {
	s := scratchPool.Get().(*scratch)
	nodes, text, _, err := s.tape(d.src, int(start), k, false)
	if err != nil {
		// Parse accepted this text, so only a caller who broke Parse's
		// contract and changed the source gets here: the container reads
		// as empty.
		nodes, text = []node{{start: start, end: start}}, nil
	}
	h, _ := newTape(nodes, text, k, 0)
	s.release()
	return h
}

// children is the tape holding the children of the container n, which is
// node i of tape h.
func (d *Doc) children(h *header, i int32, n node) *header {
	if i == 0 {
		return h
	}
	k := int32(binary.LittleEndian.Uint32(tapeText(h)[^n.end+4:]))
	return d.sub(k, n.start)
}

// end is where the text of node n of tape h ends in src.
func end(h *header, n node) int32 {
	if n.end >= 0 {
		return n.end
	}
	return int32(binary.LittleEndian.Uint32(tapeText(h)[^n.end:]))
}
