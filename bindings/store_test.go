package bindings

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/botrun/botrun/host/store"
)

func TestStoreRoundTrip(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		val  any
		want string
	}{
		{"text", `"text"`},
		{int64(42), `42`},
		{float64(3), `3`},
		{1.5, `1.5`},
		{true, `true`},
		{[]any{int64(1), "two"}, `[1,"two"]`},
		{map[string]any{"b": int64(1), "a": map[string]any{"x": nil}}, `{"a":{"x":null},"b":1}`},
		{json.RawMessage(`{"kept":"as is"}`), `{"kept":"as is"}`},
	}
	for _, tt := range tests {
		if _, err := f.call("store.set", "k", tt.val); err != nil {
			t.Fatalf("set %v: %v", tt.val, err)
		}
		got, err := f.call("store.get", "k")
		if err != nil {
			t.Fatal(err)
		}
		if raw, ok := got.(json.RawMessage); !ok || string(raw) != tt.want {
			t.Errorf("get after set(%v) = %#v, want %s", tt.val, got, tt.want)
		}
	}
	if _, err := f.call("store.delete", "k"); err != nil {
		t.Fatal(err)
	}
	if got, err := f.call("store.get", "k"); err != nil || got != nil {
		t.Errorf("get after delete = %#v, %v; want nil", got, err)
	}
	if _, err := f.call("store.set", "k", "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.call("store.set", "k", nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.call("store.get", "k"); got != nil {
		t.Errorf("set(k, nil) did not delete: %#v", got)
	}
}

func TestStorePersistsAndIsolates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	a := newFixtureWithStore(t, db, "a")
	b := newFixtureWithStore(t, db, "b")
	if _, err := a.call("store.set", "count", int64(7)); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.call("store.get", "count"); got != nil {
		t.Errorf("script b sees a's key: %s", got)
	}
	if _, err := b.call("store.delete", "count"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// A new generation of script a after a restart.
	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a2 := newFixtureWithStore(t, db, "a")
	got, err := a2.call("store.get", "count")
	if err != nil || string(got.(json.RawMessage)) != "7" {
		t.Errorf("after restart count = %v, %v; want 7", got, err)
	}
}

func TestStoreLimits(t *testing.T) {
	f := newFixture(t)
	f.script.Caps.MaxStoreValue = 100
	f.script.Caps.MaxKey = 8
	tests := []struct {
		fn    string
		args  []any
		want  string
		limit bool
	}{
		{"store.set", []any{"k", strings.Repeat("x", 200)}, "value is larger than 100 bytes", true},
		{"store.set", []any{"k", []any{strings.Repeat("x", 60), strings.Repeat("y", 60)}}, "larger than 100 bytes", true},
		{"store.get", []any{"123456789"}, "key is longer than 8 bytes", true},
		{"store.set", []any{"k", testCallback{}}, "a function cannot be converted to JSON", false},
		{"store.set", []any{"k", map[string]any{"f": testCallback{}}}, "a function cannot be converted to JSON", false},
		{"store.get", []any{int64(1)}, "key) must be a string, got number", false},
		{"store.get", []any{""}, "must not be empty", false},
		{"store.get", []any{"\xff"}, "valid UTF-8", false},
		{"store.set", []any{"k", 1.0 / zero()}, "NaN and infinite", false},
	}
	for _, tt := range tests {
		_, err := f.call(tt.fn, tt.args...)
		ue := usageErr(t, err)
		if !strings.Contains(ue.Msg, tt.want) || errors.Is(err, ErrLimit) != tt.limit {
			t.Errorf("%s: error %q (limit %v), want %q (limit %v)", tt.fn, err, errors.Is(err, ErrLimit), tt.want, tt.limit)
		}
	}
	var nested any = "x"
	for range maxDepth + 2 {
		nested = []any{nested}
	}
	f.script.Caps.MaxStoreValue = 1 << 20
	if _, err := f.call("store.set", "k", nested); err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("deeply nested value: %v", err)
	}
}

func zero() float64 { return 0 }

func TestStoreOpenFailure(t *testing.T) {
	f := newFixture(t)
	f.script.Host.Store = func(string) (Store, error) { return nil, errors.New("disk on fire") }
	_, err := f.call("store.get", "k")
	if err == nil || !strings.Contains(err.Error(), "store.get: open store: disk on fire") {
		t.Errorf("error = %v", err)
	}
}
