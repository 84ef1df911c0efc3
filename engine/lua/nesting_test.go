package lua

import (
	"strings"
	"testing"
)

func TestCheckNesting(t *testing.T) {
	deep := func(open, close string, n int) string { return strings.Repeat(open, n) + strings.Repeat(close, n) }
	tests := []struct {
		name string
		src  string
		bad  bool
	}{
		{"ordinary", "local t = {a = {b = (1 + 2)}}\nfunction f() if x then do end end end", false},
		{"parens", "return " + deep("(", ")", maxNesting+1), true},
		{"blocks", deep("do ", "end ", maxNesting+1), true},
		{"functions", deep("function f() ", "end ", maxNesting+1), true},
		{"strings ignored", "local s = \"" + strings.Repeat("(", 5000) + "\"\nlocal q = '" + strings.Repeat("{", 5000) + "'", false},
		{"long string ignored", "local s = [==[" + strings.Repeat("(", 5000) + "]==]", false},
		{"comments ignored", "-- " + strings.Repeat("(", 5000) + "\n--[[" + strings.Repeat("do ", 5000) + "]]", false},
		{"identifiers are not keywords", strings.Repeat("local done, ends, iffy, dough = 1, 2, 3, 4\n", 1000), false},
		{"while and for count once", deep("while true do ", "end ", 300) + deep("for i=1,2 do ", "end ", 300), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := checkNesting([]byte(tc.src))
			if (err != nil) != tc.bad {
				t.Fatalf("err = %v, want error %v", err, tc.bad)
			}
		})
	}
}

func FuzzCheckNesting(f *testing.F) {
	f.Add([]byte("local s = [[x]] -- c\nreturn ((1))"))
	f.Add([]byte("--[==[ ]==] 'a\\'b' \"c\" [=[ ]=] do end"))
	f.Fuzz(func(t *testing.T, src []byte) {
		checkNesting(src) // must not panic or loop
	})
}
