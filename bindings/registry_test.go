package bindings

import (
	"slices"
	"strings"
	"testing"
)

func TestHandlersForAliases(t *testing.T) {
	r := NewRegistry(nil)
	r.On("*", testCallback{"star"}, false)
	r.On("MEMBER_ADD", testCallback{"alias"}, false)
	r.On("GUILD_MEMBER_ADD", testCallback{"name"}, false)
	r.On("GUILD_MEMBER_ADD", testCallback{"once"}, true)

	names := func(hs []*Handler) []string {
		var out []string
		for _, h := range hs {
			out = append(out, h.Fn.(testCallback).name)
		}
		return out
	}
	got := names(r.HandlersFor("GUILD_MEMBER_ADD", []string{"MEMBER_ADD", "*"}))
	if want := []string{"name", "once", "alias", "star"}; !slices.Equal(got, want) {
		t.Fatalf("first dispatch: %v, want %v", got, want)
	}
	got = names(r.HandlersFor("GUILD_MEMBER_ADD", []string{"MEMBER_ADD"}))
	if want := []string{"name", "alias", "star"}; !slices.Equal(got, want) {
		t.Fatalf("second dispatch: %v, want %v (once is gone)", got, want)
	}
	if hs := NewRegistry(nil).HandlersFor("X", []string{"Y"}); hs != nil {
		t.Fatalf("empty registry: %v", hs)
	}
}

// A slice handed out for a dispatch stays as it was while the script
// subscribes and unsubscribes, and the common case costs no allocation.
func TestHandlersForSnapshot(t *testing.T) {
	r := NewRegistry(nil)
	a := r.On("MESSAGE_CREATE", testCallback{"a"}, false)
	r.On("MESSAGE_CREATE", testCallback{"b"}, false)
	snap := r.HandlersFor("MESSAGE_CREATE", nil)
	before := slices.Clone(snap)
	r.On("MESSAGE_CREATE", testCallback{"c"}, false)
	a.Off()
	if !slices.Equal(snap, before) {
		t.Fatalf("snapshot changed under On/Off: %v, was %v", snap, before)
	}
	if got := len(r.HandlersFor("MESSAGE_CREATE", nil)); got != 2 {
		t.Fatalf("after On c and Off a: %d handlers, want 2", got)
	}
	snap = append(snap, nil) // must copy, not write into the registry
	if got := r.HandlersFor("MESSAGE_CREATE", nil); got[len(got)-1] == nil {
		t.Fatal("a caller's append reached the registry")
	}
	allocs := testing.AllocsPerRun(100, func() { r.HandlersFor("MESSAGE_CREATE", []string{"MSG"}) })
	if allocs != 0 {
		t.Fatalf("HandlersFor allocates %.0f times per dispatch, want 0", allocs)
	}
}

// HandlersFor answers most dispatches from a table it reads without the
// lock; the table follows every change, once-handlers and "*" included.
func TestHandlersForFollowsChanges(t *testing.T) {
	r := NewRegistry(nil)
	names := func(hs []*Handler) string {
		var out []string
		for _, h := range hs {
			out = append(out, h.Fn.(testCallback).name)
		}
		return strings.Join(out, ",")
	}
	step := func(what, want string) {
		t.Helper()
		if got := names(r.HandlersFor("A", nil)); got != want {
			t.Fatalf("%s: handlers %q, want %q", what, got, want)
		}
	}
	a := r.On("A", testCallback{"a"}, false)
	step("on a", "a")
	step("again", "a")
	r.On("A", testCallback{"once"}, true)
	step("once added", "a,once")
	step("once gone", "a")
	star := r.On("*", testCallback{"star"}, false)
	step("star added", "a,star")
	star.Off()
	step("star gone", "a")
	a.Off()
	step("a gone", "")
}

// Reading without the lock is safe while the script changes its handlers
// (run with -race).
func TestHandlersForWhileSubscribing(t *testing.T) {
	r := NewRegistry(nil)
	r.On("A", testCallback{"a"}, false)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 1000 {
			h := r.On("B", testCallback{"b"}, false)
			r.On("A", testCallback{"x"}, true).Off()
			h.Off()
		}
	}()
	for {
		select {
		case <-done:
			return
		default:
		}
		hs := r.HandlersFor("A", nil)
		if len(hs) == 0 || hs[0].Fn.(testCallback).name != "a" {
			t.Fatalf("handlers of A: %v", hs)
		}
	}
}

// BenchmarkHandlersFor is the lookup every delivery makes.
func BenchmarkHandlersFor(b *testing.B) {
	r := NewRegistry(nil)
	r.On("MESSAGE_CREATE", testCallback{"a"}, false)
	r.On("GUILD_CREATE", testCallback{"g"}, false)
	b.ReportAllocs()
	for b.Loop() {
		if len(r.HandlersFor("MESSAGE_CREATE", nil)) != 1 {
			b.Fatal("handlers")
		}
	}
}
