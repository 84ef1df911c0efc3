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
