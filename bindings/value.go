package bindings

import "encoding/json"

// Values crossing the script boundary, in both directions, are one of:
//
//	nil, bool, int64, float64, string, []any, map[string]any,
//	json.RawMessage (JSON the engine exposes as a lazy read-only value),
//	*Object (data with methods), Callback (script → Go only).
//
// Engines convert script values to these before calling a binding and convert
// a binding's result back. Snowflake ids are always strings.

// Object is a value with methods: a message (reply, react, edit, delete), an
// interaction (respond, defer, ...), a subscription handle (off), a timer
// (cancel). Engines render it as a read-only view of Raw with Extra's fields
// layered on top, plus the methods of [MethodSet] Kind.
type Object struct {
	// Kind names the method set ("message", "interaction", "subscription",
	// "timer"); "" means plain data without methods.
	Kind string
	// Raw is the object's data exactly as the platform sent it. May be nil.
	Raw json.RawMessage
	// Extra holds computed fields shown to scripts over Raw, for example an
	// interaction's flattened options. May be nil.
	Extra map[string]any
	// State is Go-side state for the methods (a *Handler, a timer). It is
	// never visible to scripts.
	State any
}

// Callback is a script function handed to a binding (on, command,
// timer.after). Bindings never call it directly: they hand it back to the
// engine through [Env.Post] or keep it in a [Registry]. The engine owns its
// lifetime.
type Callback interface {
	// Lang is "lua" or "js"; it exists so that Callback is not satisfied by
	// arbitrary values.
	Lang() string
}
