package engine

import (
	"fmt"
	"strings"
)

// ErrorKind says where a script error happened.
type ErrorKind string

const (
	KindSyntax  ErrorKind = "syntax"  // the file does not compile
	KindLoad    ErrorKind = "load"    // top-level code raised
	KindHandler ErrorKind = "handler" // an event handler or callback raised
	KindLimit   ErrorKind = "limit"   // a host limit interrupted the script
	KindBinding ErrorKind = "binding" // a binding call failed and was not caught
)

// ScriptError is an error located in a script file. Error() is
// "path:line:col: message", the form editors and `botrun check` use.
type ScriptError struct {
	Kind    ErrorKind
	Script  string // script name
	Path    string // file, relative to the bot directory
	Line    int    // 1-based, 0 when unknown
	Col     int    // 1-based, 0 when unknown
	Message string
	Stack   string // script-level stack trace, one frame a line
	Err     error  // underlying Go error, if any
}

func (e *ScriptError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	return b.String()
}

func (e *ScriptError) Unwrap() error { return e.Err }
