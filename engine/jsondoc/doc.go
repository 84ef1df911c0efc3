// Package jsondoc parses a JSON document once into an immutable form that
// any number of goroutines may read at once, with cheap lazy access: engines
// wrap a Value in a script-side view and only convert what a handler reads.
// An event's data is parsed once and shared by every script it reaches.
//
// Parse is a single-pass, strict (RFC 8259) parser: it checks every byte
// of the document but indexes only the root and its children, as a flat
// tape of 8-byte nodes. A nested container records only where its text
// ends and its ordinal (its number in document order); its own tape of
// children is made the first time it is read, by the same parser, and
// published with an atomic pointer, so readers need no lock and a handler
// that reads msg.content and msg.author.bot never pays for the rest.
//
// Strings without escapes are not copied: Str returns a string that shares
// the parsed bytes, which is why the input to Parse must never be modified
// afterwards (ParseCopy keeps its own copy). Strings with escapes are
// decoded once, when their tape is made, so reading never mutates what a
// reader may see. A tape is a single pointer-free block of exactly its
// size, so a Doc costs two allocations (itself and tape 0) and each nested
// container read costs one more.
package jsondoc
