// Package chatname holds Discord's rule for CHAT_INPUT command and option
// names, shared by the command validator and the emulator.
package chatname

import (
	"unicode"
)

// maxLen is the longest name, in characters.
const maxLen = 32

// Valid reports whether s is a valid CHAT_INPUT command or option
// name by Discord's rule: 1 to 32 characters (runes, not bytes), each a
// letter, a digit, '-', '_', '\” or a Devanagari or Thai character (their
// vowel signs are marks, not letters). Case is checked separately.
//
// It is written out rather than as the equivalent regular expression
// because that expression compiles to over a megabyte that every botrun
// process would keep alive from start-up.
func Valid(s string) bool {
	n := 0
	for _, r := range s {
		n++
		if n > maxLen || !nameRune(r) {
			return false
		}
	}
	return n > 0 // invalid UTF-8 decodes to U+FFFD, which nameRune refuses
}

func nameRune(r rune) bool {
	switch r {
	case '-', '_', '\'':
		return true
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.In(r, unicode.Devanagari, unicode.Thai)
}
