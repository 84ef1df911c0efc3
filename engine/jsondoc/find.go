package jsondoc

// An object whose tape has not been made yet answers Get by reading its
// text: a handler reads one or two fields of msg.author, and a scan of its
// hundred-odd bytes costs less than making its tape (a second pass that
// also checks, and an allocation). The text was checked by Parse, so the
// scan only finds its way; it gives up (and the object gets its tape) on
// anything unusual: a key with escapes or beyond ASCII, or an object
// longer than scanBudget, which repeated scans would make costly.
const scanBudget = 512

// maxScans is how many Gets a Doc answers by scanning: a handler reads a
// few fields of msg.author and msg.member, while a Doc shared by many
// scripts, or read field by field, is cheaper indexed.
const maxScans = 8

// scanGet finds key in the object whose text starts at src[start] and whose
// ordinal is ord, as Get does: at is the offset of the last such field's
// value (-1 when absent) and, if that value is a container, vord is its
// ordinal. ok is false when the scan gave up.
func scanGet(src []byte, start int, ord int32, key string) (at int, vord int32, ok bool) {
	limit := min(start+scanBudget, len(src))
	at = -1
	var nc int32 // containers seen inside the object so far
	i := start + 1
	for {
		for i < limit && isSpace[src[i]] {
			i++
		}
		if i >= limit {
			return 0, 0, false
		}
		switch src[i] {
		case '}':
			return at, vord, true
		case ',':
			i++
			continue
		case '"':
		default:
			return 0, 0, false
		}
		j := skipPlain(src, i+1)
		if j >= limit || src[j] != '"' {
			return 0, 0, false
		}
		match := j-i-1 == len(key) && string(src[i+1:j]) == key
		i = j + 1
		for i < limit && isSpace[src[i]] {
			i++
		}
		if i >= limit || src[i] != ':' {
			return 0, 0, false
		}
		i++
		for i < limit && isSpace[src[i]] {
			i++
		}
		if i >= limit {
			return 0, 0, false
		}
		if match {
			at, vord = i, ord+1+nc
		}
		if i, nc = skipValue(src, i, limit, nc); i < 0 {
			return 0, 0, false
		}
	}
}

// skipValue is the end of the (valid) value at i, and nc plus the
// containers it holds (itself included); -1 if it does not end before
// limit.
func skipValue(src []byte, i, limit int, nc int32) (int, int32) {
	switch src[i] {
	case '"':
		return skipString(src, i, limit), nc
	case '{', '[':
		depth := 0
		for i < limit {
			switch src[i] {
			case '"':
				if i = skipString(src, i, limit); i < 0 {
					return -1, nc
				}
			case '{', '[':
				depth++
				nc++
				i++
			case '}', ']':
				depth--
				i++
				if depth == 0 {
					return i, nc
				}
			default:
				i++
			}
		}
		return -1, nc
	}
	for i < limit { // a number or a literal
		switch src[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i, nc
		}
		i++
	}
	return -1, nc
}

// skipString is the offset after the closing quote of the (valid) string
// whose opening quote is at i; -1 if that is not before limit.
func skipString(src []byte, i, limit int) int {
	i++
	for {
		i = skipPlain(src, i)
		if i >= limit {
			return -1
		}
		switch src[i] {
		case '"':
			return i + 1
		case '\\':
			i += 2
		default:
			i++
		}
	}
}
