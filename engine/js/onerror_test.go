package js

import (
	"strings"
	"testing"
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/enginetest"
	"github.com/botrun/botrun/engine/jsondoc"
)

// TestDeliveryOnErrorOncePerDelivery: a delivery hears of the first failure
// of its handlers, thrown or rejected after an await, and of nothing more.
func TestDeliveryOnErrorOncePerDelivery(t *testing.T) {
	dir := writeBot(t, map[string]string{"f.js": `
on("MESSAGE_CREATE", (m) => { if (m.content === "bad") throw new Error("first") })
on("MESSAGE_CREATE", async (m) => { if (m.content === "bad" || m.content === "late") await discord.get("/fail/500") })
command({ name: "c", description: "d" }, (ix) => { const x = null; return x.y })
`})
	h := enginetest.NewHarness(t, dir, func(l engine.Limits) engine.Engine { return New(l) })
	s := h.Start("f", "f.js", engine.Limits{})
	got := make(chan *engine.ScriptError, 10)
	deliver := func(ev bindings.Event) {
		doc, _ := jsondoc.Parse(ev.Data)
		if err := s.Deliver(&engine.Delivery{Event: ev, Doc: doc, OnError: func(e *engine.ScriptError) { got <- e }}); err != nil {
			t.Fatal(err)
		}
	}
	next := func(what string) *engine.ScriptError {
		t.Helper()
		select {
		case e := <-got:
			return e
		case <-time.After(5 * time.Second):
			t.Fatalf("no OnError report for %s", what)
			return nil
		}
	}

	deliver(enginetest.Message("1", "bad"))
	n := h.Expect(0, "error f.js:2:*first*", "error f.js:*500*")
	if e := next("a throwing handler"); e.Line != 2 || !strings.Contains(e.Message, "first") {
		t.Fatalf("first error %+v", e)
	}
	deliver(enginetest.Message("2", "late"))
	n = h.Expect(n, "error f.js:*500*")
	if e := next("a rejection after await"); !strings.Contains(e.Message, "500") {
		t.Fatalf("async error %+v", e)
	}
	deliver(enginetest.Message("3", "good"))
	deliver(enginetest.Interaction("4", "c", nil))
	h.Expect(n, "error f.js:4:*")
	if e := next("a routed handler"); e.Line != 4 {
		t.Fatalf("routed error %+v", e)
	}
	deliver(enginetest.InteractionEvent("5", 2, map[string]any{"name": "gone"}, &bindings.Route{Kind: "command", Key: "gone"}))
	if e := next("a route without handler"); !strings.Contains(e.Message, "no command handler for gone") {
		t.Fatalf("unrouted error %+v", e)
	}
	select {
	case e := <-got:
		t.Fatalf("more than one report per delivery: %+v", e)
	default:
	}
}
