package js

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/watchdog"
)

func TestWatchdogInterruptsRunningHandler(t *testing.T) {
	dog := watchdog.New(watchdog.Config{Threshold: 1, Heap: func() uint64 { return 2 },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	var reported atomic.Pointer[engine.ScriptError]
	dir := writeBot(t, map[string]string{"hog.js": `
on("HOG", () => { log.info("hogging"); const a = []; for (;;) a.push("x") })
on("NEXT", () => log.info("fine"))
`})
	e := New(engine.Limits{CPU: time.Hour}, WithWatchdog(dog), WithErrorHandler(func(se *engine.ScriptError) { reported.Store(se) }))
	sink := newLogSink()
	s, err := e.Load(context.Background(), engine.Unit{Name: "hog", Path: "hog.js", Dir: dir, Lang: "js"}, newTestScript("hog", "hog.js", sink))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if hit := dog.Check(); hit != nil {
		t.Fatalf("idle script interrupted: %v", hit)
	}
	s.Start()
	if err := s.Deliver(&engine.Delivery{}); err != nil { // no name: no handler, harmless
		t.Fatal(err)
	}
	l := &loaded{Script: s, log: sink}
	l.deliver(t, "HOG", `{}`)
	l.deliver(t, "NEXT", `{}`)
	sink.wait(t, "hogging")
	// The handler logged and loops forever: it is running now.
	if hit := dog.Check(); len(hit) != 1 || hit[0] != "hog" {
		t.Fatalf("watchdog interrupted %v, want [hog]", hit)
	}
	sink.wait(t, "hog.js:2:", "handler interrupted: process heap over limit")
	sink.wait(t, "fine")
	if se := reported.Load(); se == nil || se.Kind != engine.KindLimit || !strings.Contains(se.Message, "heap") {
		t.Fatalf("error handler got %v", se)
	}
}
