// Package jsondoc parses a JSON document once into an immutable form that
// any number of goroutines may read at once, with cheap lazy access: engines
// wrap a Value in a script-side view and only convert what a handler reads.
// An event's data is parsed once and shared by every script it reaches.
package jsondoc
