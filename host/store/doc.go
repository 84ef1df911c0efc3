// Package store is botrun's persistent key-value store: JSON values by key,
// one namespace per script, in a single file in the bot directory
// (.botrun/store.db by default).
//
// It is built on bbolt (go.etcd.io/bbolt): pure Go, so the binary stays
// cgo-free and cross-compiles; one file, easy to back up; every write is an
// ACID transaction whose commit is fsync'd before it returns, so a crash or
// kill leaves either the old or the new value, never a torn one; and it is
// the storage engine under etcd, which makes it one of the most exercised
// embedded stores in Go. Each script's keys live in a bucket of their own,
// so scripts cannot read or overwrite each other's data.
//
// [OpenMemory] gives the same API without a file, for `botrun check` and
// tests.
//
// The package knows nothing of scripts or engines: a [Scope] has exactly
// the method set bindings.Store asks for, and cmd/botrun passes it through.
package store
