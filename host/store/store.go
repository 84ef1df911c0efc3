package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DefaultPath is where a bot directory keeps its store.
func DefaultPath(botDir string) string {
	return filepath.Join(botDir, ".botrun", "store.db")
}

// scriptsBucket holds one nested bucket per script.
var scriptsBucket = []byte("scripts")

// ErrInUse means another process holds the store file open: two botrun
// processes are running the same bot directory.
var ErrInUse = errors.New("store is in use by another botrun process")

// ErrClosed is returned by operations after Close.
var ErrClosed = errors.New("store closed")

// DB is an open store. All methods are safe for concurrent use.
type DB struct {
	bolt *bolt.DB // nil for an in-memory store
	mem  *memory  // nil for a file store
	path string
}

// Option configures Open.
type Option func(*options)

type options struct {
	lockTimeout time.Duration
}

// WithLockTimeout bounds how long Open waits for another process to
// release the file (default 1s) before failing with ErrInUse.
func WithLockTimeout(d time.Duration) Option {
	return func(o *options) { o.lockTimeout = d }
}

// Open opens or creates the store file at path, creating its directory.
func Open(path string, opts ...Option) (*DB, error) {
	o := options{lockTimeout: time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: o.lockTimeout})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("store %s: %w", path, ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	if err := b.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(scriptsBucket)
		return err
	}); err != nil {
		b.Close()
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	return &DB{bolt: b, path: path}, nil
}

// OpenMemory returns a store that lives in memory only.
func OpenMemory() *DB {
	return &DB{mem: newMemory()}
}

// Path is the store file, "" for an in-memory store.
func (db *DB) Path() string { return db.path }

// Close waits for running operations and closes the file. Every committed
// write is already on disk; Close adds no durability, it releases the file.
func (db *DB) Close() error {
	if db.mem != nil {
		db.mem.close()
		return nil
	}
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("store %s: close: %w", db.path, err)
	}
	return nil
}

// Scope returns the namespace of one script. Scopes are cheap; any number
// may exist for the same script.
func (db *DB) Scope(script string) *Scope {
	return &Scope{db: db, name: script, bucket: []byte(script)}
}

// Scripts lists the scripts that have a namespace, sorted.
func (db *DB) Scripts() ([]string, error) {
	if db.mem != nil {
		return db.mem.scripts()
	}
	var out []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(scriptsBucket).ForEachBucket(func(k []byte) error {
			out = append(out, string(k))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return out, nil
}

// Scope is one script's namespace. Its method set matches bindings.Store.
type Scope struct {
	db     *DB
	name   string
	bucket []byte
}

func (s *Scope) check(ctx context.Context, key string) error {
	if s.name == "" {
		return errors.New("store: empty script name")
	}
	if key == "" {
		return errors.New("store: empty key")
	}
	return ctx.Err()
}

// Get returns a copy of the value of key and whether it exists.
func (s *Scope) Get(ctx context.Context, key string) (json.RawMessage, bool, error) {
	if err := s.check(ctx, key); err != nil {
		return nil, false, err
	}
	if s.db.mem != nil {
		return s.db.mem.get(s.name, key)
	}
	var out json.RawMessage
	err := s.db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(scriptsBucket).Bucket(s.bucket)
		if b == nil {
			return nil
		}
		if v := b.Get([]byte(key)); v != nil {
			// bbolt values are only valid inside the transaction.
			out = append(json.RawMessage(nil), v...)
		}
		return nil
	})
	if err != nil {
		return nil, false, s.wrap("get", err)
	}
	return out, out != nil, nil
}

// Set stores value (which must be valid JSON) under key. It returns once
// the write is durable.
func (s *Scope) Set(ctx context.Context, key string, value json.RawMessage) error {
	if err := s.check(ctx, key); err != nil {
		return err
	}
	if !json.Valid(value) {
		return fmt.Errorf("store: set %q: value is not valid JSON", key)
	}
	if s.db.mem != nil {
		return s.db.mem.set(s.name, key, value)
	}
	err := s.db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(scriptsBucket).CreateBucketIfNotExists(s.bucket)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), value)
	})
	return s.wrap("set", err)
}

// Delete removes key; deleting a missing key is not an error.
func (s *Scope) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx, key); err != nil {
		return err
	}
	if s.db.mem != nil {
		return s.db.mem.delete(s.name, key)
	}
	err := s.db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(scriptsBucket).Bucket(s.bucket)
		if b == nil {
			return nil
		}
		return b.Delete([]byte(key))
	})
	return s.wrap("delete", err)
}

// Keys returns the script's keys in byte order.
func (s *Scope) Keys(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.db.mem != nil {
		return s.db.mem.keys(s.name)
	}
	var out []string
	err := s.db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(scriptsBucket).Bucket(s.bucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			out = append(out, string(k))
			return nil
		})
	})
	return out, s.wrap("keys", err)
}

func (s *Scope) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		err = ErrClosed
	}
	return fmt.Errorf("store: %s %s: %w", s.name, op, err)
}
