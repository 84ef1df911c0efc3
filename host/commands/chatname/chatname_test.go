package chatname

import (
	"regexp"
	"strings"
	"testing"
)

// chatNameRule is Discord's documented name pattern, kept here as the
// oracle Valid is checked against.
var chatNameRule = regexp.MustCompile(`^[-_'\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

func TestValid(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"ping", true},
		{"it's-a_name2", true},
		{"ตั้งค่า", true}, // Thai, with a vowel mark
		{"नमस्ते", true},  // Devanagari, with virama and vowel signs
		{"日本語", true},
		{"Ping", true}, // case is checked separately
		{"", false},
		{"two words", false},
		{"emoji😀", false},
		{"a.b", false},
		{strings.Repeat("a", 32), true},
		{strings.Repeat("a", 33), false},
		{strings.Repeat("é", 32), true}, // 64 bytes, 32 characters
		{"bad\xffutf8", false},
	} {
		if got := Valid(tc.name); got != tc.ok {
			t.Errorf("Valid(%q) = %v, want %v", tc.name, got, tc.ok)
		}
		if want := chatNameRule.MatchString(tc.name); want != tc.ok {
			t.Errorf("test table disagrees with the rule for %q", tc.name)
		}
	}
}

func FuzzValid(f *testing.F) {
	for _, s := range []string{"ping", "ตั้งค่า", "नमस्ते", "a b", "", "x\u0301", "\u0e31", strings.Repeat("z", 33)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Valid(s), chatNameRule.MatchString(s); got != want {
			t.Fatalf("Valid(%q) = %v, the rule says %v", s, got, want)
		}
	})
}
