package js

import (
	"testing"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/enginetest"
	"github.com/botrun/botrun/engine/jsondoc"
)

// TestEventObjectMadeOnDemand checks the bindings.Object of an event's
// view, made only when needed: a binding receiving msg gets the message
// with its kind and the document's bytes, and msg.reply is one function.
func TestEventObjectMadeOnDemand(t *testing.T) {
	s := testScript(t, `
let kept, same;
on("MESSAGE_CREATE", (msg) => { kept = msg; same = msg.reply === msg.reply && typeof msg.reply === "function" });
globalThis.kept = () => kept;
globalThis.same = () => same;`)
	ev := enginetest.Message("7", "hello")
	doc, err := jsondoc.ParseCopy(ev.Data)
	if err != nil {
		t.Fatal(err)
	}
	s.dispatch(&engine.Delivery{Event: ev, Doc: doc})
	if got := evalString(t, s, "same()"); got != "true" {
		t.Fatalf("msg.reply === msg.reply: %s", got)
	}
	v, err := s.vm.RunString("kept()")
	if err != nil {
		t.Fatal(err)
	}
	budget := 1 << 20
	x, err := s.fromJS(v, 0, &budget)
	if err != nil {
		t.Fatal(err)
	}
	obj, ok := x.(*bindings.Object)
	if !ok || obj.Kind != bindings.KindMessage || string(obj.Raw) != string(ev.Data) {
		t.Fatalf("msg passed to a binding: %#v", x)
	}
	if y, _ := s.fromJS(v, 0, &budget); y != x {
		t.Fatal("msg passed twice gave two Objects")
	}
}
