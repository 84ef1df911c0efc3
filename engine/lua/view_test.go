package lua_test

import (
	"runtime"
	"testing"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/enginetest"
	"github.com/botrun/botrun/engine/jsondoc"
)

// A script may keep an event's views (in a table, in a timer callback)
// after its handler returned: they keep reading the event's data, and the
// kept message still answers to its methods, even once the delivery's
// buffer has been reused for another event.
func TestKeptViewsOutliveTheirDelivery(t *testing.T) {
	dir := botDir(t, map[string]string{"k.lua": `
local kept
on("MESSAGE_CREATE", function(msg)
  if not kept then
    kept = {msg = msg, author = msg.author, roles = msg.member.roles}
    local a, c = msg.author, msg.content
    kept.c = c
    timer.after(1, function()
      log.info("timer " .. a.username .. " " .. c .. " " .. msg.mentions[1].username)
    end)
    return
  end
  local k = kept.msg
  log.info(k.id .. " " .. k.content .. " " .. kept.author.username .. " " .. kept.roles[2] ..
    " " .. tostring(k.author.bot) .. " " .. msg.id .. " " .. msg.content .. " " .. kept.c)
  k:reply("to the kept one")
end)
`})
	h := enginetest.NewHarness(t, dir, newLua)
	s, err := h.Load("k", "k.lua", engine.Limits{})
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
