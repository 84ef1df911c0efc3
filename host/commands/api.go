package commands

import (
	"context"
	"encoding/json"
)

// API is the slice of the platform's REST client this package needs. path
// is relative to the API base ("/applications/1/commands"); body is
// JSON-encodable or nil. host/rest.Client satisfies it. A failure where
// the platform answered should be an error that implements [FieldErrorer]
// when the platform returned field errors (Discord code 50035), so sync
// errors can name the script location of the offending command.
type API interface {
	Do(ctx context.Context, method, path string, body any) (json.RawMessage, error)
}

// FieldErrorer is implemented by API errors that carry the platform's
// per-field error tree ({"0": {"name": {"_errors": [...]}}}).
type FieldErrorer interface {
	FieldErrors() json.RawMessage
}
