package jsondoc

import (
	"strings"
	"testing"
)

// TestScannedGet reads objects that have no tape yet: Get scans their
// text, makes no tape and allocates nothing, and what it finds reads as
// if it had been indexed.
func TestScannedGet(t *testing.T) {
	src := []byte(`{"a":{"b":{"c":[1,{"d":"x\ty"}],"e":-1.5e3,"n":null,"t":true,"f":false,"s":"q\u00e9"},"dup":1, "dup" : 2 },` +
		`"z":{"k\u0041":1},"big":{"pad":"` + strings.Repeat("p", scanBudget) + `","k":3}}`)
	parse := func() Value {
		t.Helper()
		d, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		return d.Root()
	}
	get := func(v Value, k string) Value {
		t.Helper()
		f, ok := v.Get(k)
		if !ok {
			t.Fatalf("Get(%q) in %s found nothing", k, v.Raw())
		}
		return f
	}
	r := parse()
	r.d.scans.Store(-100) // this test reads more than a handler would
	a := get(r, "a")
	b := get(a, "b")
	if a.d.lookup(1) != nil || b.i >= 0 {
		t.Fatal("a was indexed to find b; want a scan")
	}
	if string(b.Raw()) != `{"c":[1,{"d":"x\ty"}],"e":-1.5e3,"n":null,"t":true,"f":false,"s":"q\u00e9"}` || b.Kind() != Object {
		t.Fatalf("b = %s (%v)", b.Raw(), b.Kind())
	}
	if n, ok := get(a, "dup").Int(); !ok || n != 2 {
		t.Fatalf("dup = %d; the last one should win", n)
	}
	// b is itself only scanned: its fields are found by scanning too.
	if e := get(b, "e"); e.Kind() != Number || e.Float() != -1500 || e.NumberText() != "-1.5e3" || string(e.Raw()) != "-1.5e3" {
		t.Fatalf("e = %s", e.Raw())
	}
	if get(b, "n").Kind() != Null || !get(b, "t").Bool() || get(b, "f").Bool() || string(get(b, "f").Raw()) != "false" {
		t.Fatal("literals")
	}
	if s := get(b, "s"); s.Str() != "qé" || string(s.Raw()) != `"q\u00e9"` {
		t.Fatalf("s = %q, raw %s", s.Str(), s.Raw())
	}
	c := get(b, "c")
	if c.Kind() != Array || c.Len() != 2 || get(c.Index(1), "d").Str() != "x\ty" {
		t.Fatalf("c = %s", c.Raw())
	}
	if _, ok := b.Get("absent"); ok {
		t.Fatal("absent key found")
	}
	if _, ok := get(b, "e").Get("x"); ok {
		t.Fatal("Get on a number")
	}
	// A key with escapes, and an object past the budget, get their tape.
	z := get(r, "z")
	if get(z, "kA").Str() != "" || get(z, "kA").NumberText() != "1" {
		t.Fatal("escaped key")
	}
	if k := get(get(r, "big"), "k"); k.i < 0 || k.NumberText() != "3" {
		t.Fatalf("big.k = %s (scanned: %v); want it indexed", k.Raw(), k.i < 0)
	}

	fresh := get(parse(), "a")
	if n := testing.AllocsPerRun(maxScans-1, func() { // maxScans calls
		if v, ok := fresh.Get("dup"); !ok || v.NumberText() != "2" {
			t.Fatal("dup")
		}
	}); n != 0 {
		t.Fatalf("a scanned Get allocates %v times", n)
	}
	// A Doc read this much is read a lot: objects get their tapes.
	if fresh.d.lookup(1) != nil {
		t.Fatal("a was indexed too early")
	}
	if v := get(fresh, "dup"); v.i < 0 || fresh.d.lookup(1) == nil {
		t.Fatalf("Get number %d scanned again", maxScans+1)
	}
}
