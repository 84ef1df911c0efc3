package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"
)

func BenchmarkSet(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "store.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s := db.Scope("bench")
	v := json.RawMessage(`{"count":12345,"name":"a typical small value"}`)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if err := s.Set(ctx, "k"+strconv.Itoa(i%1000), v); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkGet(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "store.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s := db.Scope("bench")
	ctx := context.Background()
	if err := s.Set(ctx, "k", json.RawMessage(`{"count":12345}`)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := s.Get(ctx, "k"); err != nil {
			b.Fatal(err)
		}
	}
}
