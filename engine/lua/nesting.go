package lua

import "fmt"

// maxNesting bounds how deeply blocks and brackets may nest in source
// text. gopher-lua's parser and compiler recurse on the Go stack once per
// level, so source nested hundreds of thousands deep (easy to generate and
// pass to load) would exhaust it and crash the whole process.
const maxNesting = 400

// checkNesting scans src roughly as the Lua lexer does (skipping strings
// and comments) and fails when blocks (function, do, if, repeat) and
// brackets nest deeper than maxNesting. It returns the line of the
// offending token.
func checkNesting(src []byte) (line int, err error) {
	depth, line := 0, 1
	n := len(src)
	for i := 0; i < n; i++ {
		c := src[i]
		switch {
		case c == '\n':
			line++
		case c == '-' && i+1 < n && src[i+1] == '-':
			i += 2
			if lvl, ok := longBracket(src, i); ok {
				i, line = skipLong(src, i, lvl, line)
				continue
			}
			for i < n && src[i] != '\n' {
				i++
			}
			i-- // let the newline be counted
		case c == '"' || c == '\'':
			for i++; i < n && src[i] != c; i++ {
				if src[i] == '\\' {
					i++
				}
				if i < n && src[i] == '\n' {
					line++
				}
			}
		case c == '[':
			if lvl, ok := longBracket(src, i); ok {
				i, line = skipLong(src, i, lvl, line)
				continue
			}
			depth++
		case c == '(' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			depth--
		case isIdentStart(c):
			j := i
			for j < n && isIdentChar(src[j]) {
				j++
			}
			switch string(src[i:j]) {
			case "function", "do", "if", "repeat":
				depth++
			case "end", "until":
				depth--
			}
			i = j - 1
		}
		if depth > maxNesting {
			return line, fmt.Errorf("code nested more than %d levels deep", maxNesting)
		}
	}
	return 0, nil
}

// longBracket reports whether src[i:] starts a long bracket [[ or [==[ and
// its level.
func longBracket(src []byte, i int) (int, bool) {
	if i >= len(src) || src[i] != '[' {
		return 0, false
	}
	j := i + 1
	for j < len(src) && src[j] == '=' {
		j++
	}
	if j < len(src) && src[j] == '[' {
		return j - i - 1, true
	}
	return 0, false
}

// skipLong returns the index of the last byte of the long string or
// comment starting at i, and the line count after it.
func skipLong(src []byte, i, lvl, line int) (int, int) {
	for j := i + lvl + 2; j < len(src); j++ {
		if src[j] == '\n' {
			line++
		}
		if src[j] == ']' && j+lvl+1 < len(src) && src[j+lvl+1] == ']' {
			k := j + 1
			for k < j+lvl+1 && src[k] == '=' {
				k++
			}
			if k == j+lvl+1 {
				return j + lvl + 1, line
			}
		}
	}
	return len(src), line
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }
