package bindings

import (
	"encoding/json"
	"errors"
	"fmt"
)

// APIError is a failed platform request as scripts see it: Lua gets a table
// with status, code and message (and a readable __tostring), JS a rejected
// Promise with an Error carrying the same fields.
type APIError struct {
	Status  int             // HTTP status, 0 when the request never got an answer
	Code    int             // platform error code (Discord JSON code), 0 if none
	Message string          // human-readable message from the platform
	Errors  json.RawMessage // field errors as the platform returned them, may be nil
	Method  string
	Path    string
}

func (e *APIError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("%s %s: %d %s (code %d)", e.Method, e.Path, e.Status, e.Message, e.Code)
	}
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, e.Message)
}

// UsageError is a script calling a binding wrongly (bad argument type,
// missing argument, value over a size limit). Engines report it at the
// script's call site.
type UsageError struct {
	Func string // binding name, "discord.send"
	Msg  string

	err error // wrapped cause (ErrLimit for size limits), may be nil
}

func (e *UsageError) Error() string { return e.Func + ": " + e.Msg }

// Unwrap lets errors.Is(err, ErrLimit) find size-limit usage errors.
func (e *UsageError) Unwrap() error { return e.err }

// Usagef builds a *UsageError.
func Usagef(fn, format string, args ...any) error {
	return &UsageError{Func: fn, Msg: fmt.Sprintf(format, args...)}
}

// ErrLimit is wrapped by errors raised when a script exceeds a host limit
// (pending operations, payload size, timers).
var ErrLimit = errors.New("limit exceeded")

// ErrNotConnected is wrapped by the error of a binding whose host part is
// missing (botrun check loads scripts without a platform).
var ErrNotConnected = errors.New("not connected to a platform")
