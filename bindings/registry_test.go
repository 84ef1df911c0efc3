package bindings

import (
	"slices"
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
