package jsondoc

import "testing"

func TestQuick(t *testing.T) {
	d, err := Parse([]byte(`{"a":[1,"x",{"b":true}],"id":"123456789012345678","n":null, "big": 12345678901234567890}`))
	if err != nil {
		t.Fatal(err)
	}
	r := d.Root()
	a, _ := r.Get("a")
	if a.Len() != 3 || a.Index(1).Str() != "x" {
		t.Fatalf("bad array %v", a.Len())
	}
	b, _ := a.Index(2).Get("b")
	if !b.Bool() {
		t.Fatal("b")
	}
	id, _ := r.Get("id")
	if id.Str() != "123456789012345678" {
		t.Fatal(id.Str())
	}
	big, _ := r.Get("big")
	if big.NumberText() != "12345678901234567890" || string(big.Raw()) != "12345678901234567890" {
		t.Fatalf("%q %q", big.NumberText(), big.Raw())
	}
	if string(a.Raw()) != `[1,"x",{"b":true}]` {
		t.Fatalf("raw %q", a.Raw())
	}
	if k, _ := r.Field(2); k != "n" {
		t.Fatal(k)
	}
}
