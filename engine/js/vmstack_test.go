package js

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
)

// TestLentStack checks that the script lends goja its stack (so a goja
// upgrade that moves the field is noticed), that handlers deeper than the
// lent stack still run, and that no event's values stay on the stack
// afterwards.
func TestLentStack(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "deep.js", `
let total = 0;
const sum = (n) => n === 0 ? 0 : n + sum(n - 1);
on("SHALLOW", (e) => { total += e.n });
on("DEEP", async (e) => { total += sum(e.n) });
globalThis.total = () => total;`)
	e := New(engine.Limits{}).(*jsEngine)
	bs := &bindings.Script{Name: "deep", Path: "deep.js", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Reg: bindings.NewRegistry(nil)}
	s, err := e.newScript(engine.Unit{Name: "deep", Path: "deep.js", Dir: dir, Lang: "js"}, bs)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if err := s.runTopLevel(); err != nil {
		t.Fatal(err)
	}
	if s.stack == nil {
		t.Fatal("goja's value stack was not found: the lent stack is off (goja's vm layout changed?)")
	}
	events := []struct {
		name, data string
		add        int64
	}{
		{"SHALLOW", `{"n": 2}`, 2},
		{"DEEP", `{"n": 200}`, 200 * 201 / 2}, // far deeper than the lent stack
		{"SHALLOW", `{"n": 3}`, 3},
	}
	var want int64
	for _, ev := range events {
		s.dispatch(&engine.Delivery{Event: bindings.Event{Name: ev.name, Data: []byte(ev.data)}})
		want += ev.add
		for i, v := range s.stackBuf[:cap(s.stackBuf)] {
			if v != nil {
				t.Fatalf("after %s: lent stack slot %d still holds %v", ev.name, i, v)
			}
		}
	}
	got, err := s.vm.RunString("total()")
	if err != nil {
		t.Fatal(err)
	}
	if got.ToInteger() != want {
		t.Fatalf("total = %d, want %d", got.ToInteger(), want)
	}
}
