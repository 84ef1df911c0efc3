package bindings

import "encoding/json"

// Event is one platform dispatch on its way to scripts.
type Event struct {
	// Name is the dispatch name as the platform sent it (MESSAGE_CREATE),
	// or a lifecycle signal: READY, RESUMED, RECONNECTING.
	Name string
	// Aliases are other names scripts may subscribe with for the same event
	// (the Discord name of an Uncord event, and vice versa).
	Aliases []string
	// Data is the dispatch's d, exactly as sent.
	Data  json.RawMessage
	Shard int
	// Route, when set, sends the event to one registered command,
	// component, modal or autocomplete handler (chosen by the host's
	// router) instead of the on() subscribers.
	Route *Route
}
