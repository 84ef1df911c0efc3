// Package jsondoc parses a JSON document once into an immutable form that
// any number of goroutines may read at once, with cheap lazy access: engines
// wrap a Value in a script-side view and only convert what a handler reads.
// An event's data is parsed once and shared by every script it reaches.
//
// Parse is a single-pass, strict (RFC 8259) parser that writes a flat tape:
// one slice of 8-byte nodes in document order, where each container knows
// the range of its children in a second slice. Strings without escapes are not
// copied: Str returns a string that shares the parsed bytes, which is why
// the input to Parse must never be modified afterwards. Strings with
// escapes are decoded once, during Parse, so reading never mutates the Doc
// and needs no locking. The tape is built in pooled working memory and
// then copied into a single pointer-free block of exactly its size, so a
// Doc costs two allocations (itself and that block) whatever its shape.
package jsondoc
