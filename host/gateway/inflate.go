package gateway

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"slices"
)

// inflater decodes the DEFLATE blocks (RFC 1951) of one zlib-stream
// message onto the end of the stream's output, whose last 32 KiB are the
// window the blocks refer back to.
//
// Discord flushes the stream after every message (Z_SYNC_FLUSH), which
// ends the block in progress and adds an empty stored block; so a message
// is whole blocks, and nothing but the window carries over to the next.
// Each message of varied chat is a block with Huffman codes of its own:
// building their lookup tables is a large part of inflating a message,
// and the tables here are built in one pass over the code lengths, with
// codes longer than the first-level table resolved in small second-level
// tables. Input that runs out inside a block ends the message, as it
// does for a general-purpose inflater reading up to a flush.
type inflater struct {
	in   []byte
	pos  int    // next input byte not yet in bits
	bits uint64 // input bits not yet used, least significant first
	nb   uint   // how many of bits are valid

	lit, dist, clen huffman
	lens            [maxLitCodes + maxDistCodes]uint8
}

const (
	maxLitCodes  = 288
	maxDistCodes = 32
	maxCodeLen   = 15
)

var (
	errInflateCorrupt = errors.New("corrupt deflate data")
	errInflateFar     = errors.New("deflate back-reference before the start of the stream")
)

// huffman is a decoding table for one canonical Huffman code. Entries are
// looked up by the next primary bits of input (least significant first):
// an entry is a symbol (sym<<16 | length), or a link (off<<16 | sub<<8 |
// linkFlag) to a second-level table of 1<<sub entries at sub[off:],
// looked up by the bits after the first primary ones. A zero entry is an
// invalid code.
type huffman struct {
	primary uint
	table   []uint32 // 1 << primary entries
	sub     []uint32
}

const linkFlag = 0x80

// newHuffman makes a table looked up by primary bits first. Its
// second-level tables grow as codes need them and are reused after that.
func newHuffman(primary uint) huffman {
	return huffman{primary: primary, table: make([]uint32, 1<<primary)}
}

// build makes the table for the code with these code lengths (0: symbol
// unused). Like zlib, it refuses over-subscribed codes, and incomplete
// ones unless the code is a single code of one bit (a block with one
// distance, or none, is coded so).
func (h *huffman) build(lens []uint8) error {
	// Two sets of counters, alternately: runs of equal lengths would
	// otherwise wait on each other's increments. Lengths are at most 15
	// (they come from 4-bit code-length symbols), so the mask changes
	// nothing but spares the bounds checks.
	var c0, c1 [maxCodeLen + 1]uint16
	i := 0
	for ; i+1 < len(lens); i += 2 {
		c0[lens[i]&maxCodeLen]++
		c1[lens[i+1]&maxCodeLen]++
	}
	if i < len(lens) {
		c0[lens[i]&maxCodeLen]++
	}
	var count [maxCodeLen + 1]uint16
	maxLen := 0
	for l := 1; l <= maxCodeLen; l++ {
		count[l] = c0[l] + c1[l]
		if count[l] != 0 {
			maxLen = l
		}
	}
	left := 1
	var next [maxCodeLen + 2]uint32 // first canonical code of each length
	for l := 1; l <= maxCodeLen; l++ {
		left = left<<1 - int(count[l])
		if left < 0 {
			return errInflateCorrupt // over-subscribed
		}
		next[l+1] = (next[l] + uint32(count[l])) << 1
	}
	if left > 0 {
		if maxLen > 1 {
			return errInflateCorrupt // incomplete
		}
		clear(h.table) // unused codes must not decode
	}
	// The symbols in canonical order: by length, then by value.
	var offs [maxCodeLen + 2]uint16
	for l := 1; l <= maxCodeLen; l++ {
		offs[l+1] = offs[l] + count[l]
	}
	var sorted [maxLitCodes + maxDistCodes]uint16
	for sym, l := range lens {
		if l != 0 {
			sorted[offs[l]] = uint16(sym)
			offs[l]++
		}
	}
	n := int(offs[maxCodeLen+1])
	p := h.primary
	// Codes of at most p bits, shortest first: while the codes of l bits
	// are written, the table holds the entries of l-bit prefixes only, one
	// per code, and before the next length it is doubled (a code of l
	// bits ignores the bit after them). Walking the codes in canonical
	// order with their bits reversed, a code of l+1 bits starts where
	// those of l bits ended, with a 0 bit added at the end: the same
	// number. A few block copies cost less than a strided write per entry.
	k := 0
	var rev uint32 // the next code, bits reversed
	size := 2
	for l := uint(1); l <= p; l++ {
		for c := count[l]; c > 0; c-- {
			h.table[rev] = uint32(sorted[k])<<16 | uint32(l)
			k++
			// the next code of l bits, bits reversed: add 1 from the top
			bit := uint32(1) << (l - 1)
			for rev&bit != 0 {
				rev ^= bit
				bit >>= 1
			}
			rev |= bit
		}
		if l < p {
			copy(h.table[size:2*size], h.table[:size])
			size *= 2
		}
	}
	sb := uint(0)
	if uint(maxLen) > p {
		sb = uint(maxLen) - p
	}
	h.sub = h.sub[:0]
	// Canonical codes grow with (length, symbol), so codes longer than
	// the primary bits that share their first primary bits come one
	// after another: each such group gets one second-level table.
	lastPrefix := -1
	for _, sym := range sorted[k:n] {
		l := uint(lens[sym])
		code := next[l]
		next[l]++
		rev := uint32(bits.Reverse16(uint16(code))) >> (16 - l)
		e := uint32(sym)<<16 | uint32(l)
		prefix := int(rev & (1<<p - 1))
		if prefix != lastPrefix {
			lastPrefix = prefix
			h.table[prefix] = uint32(len(h.sub))<<16 | uint32(sb)<<8 | linkFlag
			h.sub = slices.Grow(h.sub, 1<<sb)[:len(h.sub)+1<<sb]
		}
		base := h.sub[int(h.table[prefix]>>16):][:1<<sb]
		for i := rev >> p; i < uint32(len(base)); i += 1 << (l - p) {
			base[i] = e
		}
	}
	return nil
}

// refill loads input into bits until it holds at least 56 bits or the
// input is used up.
func (f *inflater) refill() {
	if f.pos+8 <= len(f.in) {
		f.bits |= binary.LittleEndian.Uint64(f.in[f.pos:]) << f.nb
		n := (63 - f.nb) >> 3
		f.pos += int(n)
		f.nb += n << 3
		return
	}
	for f.nb <= 56 && f.pos < len(f.in) {
		f.bits |= uint64(f.in[f.pos]) << f.nb
		f.pos++
		f.nb += 8
	}
}

// take consumes n ≤ 32 bits, which must be loaded.
func (f *inflater) take(n uint) uint32 {
	v := uint32(f.bits & (1<<n - 1))
	f.bits >>= n
	f.nb -= n
	return v
}

// errShort means the input ran out inside a block.
var errShort = errors.New("short")

// decode reads one symbol of h; it returns errShort when the input runs
// out first.
func (f *inflater) decode(h *huffman) (int, error) {
	if f.nb < maxCodeLen {
		f.refill()
	}
	e := h.table[f.bits&(1<<h.primary-1)]
	if e&linkFlag != 0 {
		sb := (e >> 8) & 0xf
		e = h.sub[e>>16+uint32(f.bits>>h.primary)&(1<<sb-1)]
	}
	n := uint(e & 0xf)
	if n == 0 {
		return 0, errInflateCorrupt
	}
	if n > f.nb {
		return 0, errShort
	}
	f.bits >>= n
	f.nb -= n
	return int(e >> 16), nil
}

// need makes sure n bits are loaded, or reports errShort.
func (f *inflater) need(n uint) error {
	if f.nb < n {
		f.refill()
		if f.nb < n {
			return errShort
		}
	}
	return nil
}

var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	clenOrder   = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// fixedLit and fixedDist are the tables of block type 1.
var fixedLit, fixedDist = func() (huffman, huffman) {
	var lens [maxLitCodes]uint8
	for i := range lens {
		switch {
		case i < 144:
			lens[i] = 8
		case i < 256:
			lens[i] = 9
		case i < 280:
			lens[i] = 7
		default:
			lens[i] = 8
		}
	}
	lit := newHuffman(9)
	dist := newHuffman(5)
	var dl [maxDistCodes]uint8
	for i := range dl {
		dl[i] = 5
	}
	if lit.build(lens[:]) != nil || dist.build(dl[:]) != nil {
		panic("gateway: fixed Huffman tables")
	}
	return lit, dist
}()

func newInflater() *inflater {
	return &inflater{
		lit:  newHuffman(9),
		dist: newHuffman(7),
		clen: newHuffman(7),
	}
}

// inflateOut is where inflater.run writes: the stream's output so far,
// which grow extends when it has less than room free bytes.
type inflateOut struct {
	buf  []byte
	grow func(buf []byte, room int) ([]byte, error)
}

// run decodes the blocks of in onto out.buf. It stops at the end of the
// input (between blocks or inside one) or after a final block, and
// reports whether it saw the final block.
func (f *inflater) run(in []byte, out *inflateOut) (final bool, err error) {
	f.in, f.pos, f.bits, f.nb = in, 0, 0, 0
	defer func() {
		f.in = nil
		if err == errShort {
			err = nil
		}
	}()
	for {
		if err := f.need(3); err != nil {
			return false, err
		}
		last := f.take(1) == 1
		switch f.take(2) {
		case 0:
			err = f.stored(out)
		case 1:
			err = f.block(&fixedLit, &fixedDist, out)
		case 2:
			if err = f.dynamicTables(); err == nil {
				err = f.block(&f.lit, &f.dist, out)
			}
		default:
			err = errInflateCorrupt
		}
		if err != nil {
			return false, err
		}
		if last {
			return true, nil
		}
	}
}

// stored copies a stored block's bytes.
func (f *inflater) stored(out *inflateOut) error {
	// Back to the byte boundary, and the loaded whole bytes back to the
	// input.
	f.take(f.nb & 7)
	f.pos -= int(f.nb >> 3)
	f.bits, f.nb = 0, 0
	if f.pos+4 > len(f.in) {
		return errShort
	}
	n := int(binary.LittleEndian.Uint16(f.in[f.pos:]))
	if uint16(n) != ^binary.LittleEndian.Uint16(f.in[f.pos+2:]) {
		return errInflateCorrupt
	}
	f.pos += 4
	short := false
	if f.pos+n > len(f.in) {
		n, short = len(f.in)-f.pos, true
	}
	for n > 0 {
		if cap(out.buf) == len(out.buf) {
			var err error
			if out.buf, err = out.grow(out.buf, 1); err != nil {
				return err
			}
		}
		k := min(n, cap(out.buf)-len(out.buf))
		out.buf = append(out.buf, f.in[f.pos:f.pos+k]...)
		f.pos += k
		n -= k
	}
	if short {
		return errShort
	}
	return nil
}

// dynamicTables reads a dynamic block's code lengths and builds its
// tables.
func (f *inflater) dynamicTables() error {
	if err := f.need(14); err != nil {
		return err
	}
	nlit := int(f.take(5)) + 257
	ndist := int(f.take(5)) + 1
	nclen := int(f.take(4)) + 4
	if nlit > 286 || ndist > 30 {
		return errInflateCorrupt
	}
	var cl [19]uint8
	for i := range nclen {
		if err := f.need(3); err != nil {
			return err
		}
		cl[clenOrder[i]] = uint8(f.take(3))
	}
	if err := f.clen.build(cl[:]); err != nil {
		return err
	}
	lens := f.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		sym, err := f.decode(&f.clen)
		if err != nil {
			return err
		}
		if sym < 16 {
			lens[i] = uint8(sym)
			i++
			continue
		}
		var rep int
		var val uint8
		switch sym {
		case 16:
			if i == 0 {
				return errInflateCorrupt
			}
			if err := f.need(2); err != nil {
				return err
			}
			rep, val = 3+int(f.take(2)), lens[i-1]
		case 17:
			if err := f.need(3); err != nil {
				return err
			}
			rep = 3 + int(f.take(3))
		default:
			if err := f.need(7); err != nil {
				return err
			}
			rep = 11 + int(f.take(7))
		}
		if i+rep > len(lens) {
			return errInflateCorrupt
		}
		for ; rep > 0; rep-- {
			lens[i] = val
			i++
		}
	}
	if lens[256] == 0 {
		return errInflateCorrupt // no end of block
	}
	if err := f.lit.build(lens[:nlit]); err != nil {
		return err
	}
	return f.dist.build(lens[nlit:])
}

// block decodes a Huffman-coded block's symbols until its end.
func (f *inflater) block(lit, dist *huffman, out *inflateOut) error {
	buf := out.buf
	defer func() { out.buf = buf }()
	for {
		sym, err := f.decode(lit)
		if err != nil {
			return err
		}
		if sym < 256 {
			if len(buf) == cap(buf) {
				if buf, err = out.grow(buf, 1); err != nil {
					return err
				}
			}
			buf = append(buf, byte(sym))
			continue
		}
		if sym == 256 {
			return nil
		}
		sym -= 257
		if sym >= len(lengthBase) {
			return errInflateCorrupt
		}
		if err := f.need(uint(lengthExtra[sym])); err != nil {
			return err
		}
		length := int(lengthBase[sym]) + int(f.take(uint(lengthExtra[sym])))
		dsym, err := f.decode(dist)
		if err != nil {
			return err
		}
		if dsym >= len(distBase) {
			return errInflateCorrupt
		}
		if err := f.need(uint(distExtra[dsym])); err != nil {
			return err
		}
		d := int(distBase[dsym]) + int(f.take(uint(distExtra[dsym])))
		if cap(buf)-len(buf) < length {
			if buf, err = out.grow(buf, length); err != nil {
				return err
			}
		}
		if d > len(buf) {
			return errInflateFar
		}
		from := len(buf) - d
		if d >= length {
			buf = append(buf, buf[from:from+length]...)
			continue
		}
		// An overlapping copy repeats the last d bytes: copy what is
		// there, which doubles what can be copied next.
		for length > 0 {
			n := min(len(buf)-from, length)
			buf = append(buf, buf[from:from+n]...)
			length -= n
		}
	}
}
