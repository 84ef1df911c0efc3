package js

import (
	"runtime"
	"testing"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/enginetest"
	"github.com/botrun/botrun/engine/jsondoc"
)

// TestKeptViewsOutliveTheirDelivery keeps an event's views, strings read
// from it and its method past the handler, in a variable and in a timer
// callback, while the reader reuses the buffer the event came in: all of
// them read the Doc's own copy.
func TestKeptViewsOutliveTheirDelivery(t *testing.T) {
	dir := writeBot(t, map[string]string{"k.js": `
let kept;
on("MESSAGE_CREATE", (msg) => {
  if (!kept) {
    const a = msg.author, c = msg.content;
    kept = {msg, author: a, roles: msg.member.roles, c};
    timer.after(1, () => log.info("timer " + a.username + " " + c + " " + msg.mentions[0].username));
    return;
  }
  const k = kept.msg;
  log.info([k.id, k.content, kept.author.username, kept.roles[1], k.author.bot, msg.id, msg.content, kept.c].join(" "));
  k.reply("to the kept one");
});
`})
	h := enginetest.NewHarness(t, dir, func(l engine.Limits) engine.Engine { return New(l) })
	s, err := h.Load("k", "k.js", engine.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(s)
	s.Start()
	deliver := func(ev bindings.Event) {
		t.Helper()
		doc, err := jsondoc.ParseCopy(ev.Data)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Deliver(&engine.Delivery{Event: ev, Doc: doc}); err != nil {
			t.Fatal(err)
		}
	}
	first := enginetest.Message("1", "keep me")
	deliver(first)
	n := h.Expect(0, "log INFO timer alice keep me bob")
	// The reader reuses its buffer: the first delivery's bytes are gone.
	for i := range first.Data {
		first.Data[i] = ' '
	}
	runtime.GC()
	deliver(enginetest.Message("2", "later"))
	h.Expect(n,
		"log INFO 1 keep me alice 401 false 2 later keep me",
		`send 100 {"content":"to the kept one"} reply=1`,
	)
}

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
