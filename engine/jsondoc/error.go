package jsondoc

import (
	"errors"
	"fmt"
)

// MaxDepth is how deeply arrays and objects may nest. Deeper documents are
// rejected rather than risking the parser's stack on hostile input.
const MaxDepth = 512

// ErrTooDeep is wrapped by the SyntaxError of a document nested deeper
// than MaxDepth.
var ErrTooDeep = errors.New("nesting deeper than 512 levels")

// SyntaxError is a Parse failure at a byte offset of the input.
type SyntaxError struct {
	Offset int    // byte offset of the offending input
	Msg    string // what was wrong there
	err    error  // ErrTooDeep, or nil
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("jsondoc: invalid JSON at byte offset %d: %s", e.Offset, e.Msg)
}

func (e *SyntaxError) Unwrap() error { return e.err }
