package uncord

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	emu "github.com/botrun/botrun/host/emulator/uncord"
)

// collector records delivered message contents.
type collector struct {
	mu   sync.Mutex // guards got
	got  []string
	wake chan struct{}
}

func (c *collector) deliver(name string, data json.RawMessage) {
	var m struct{ Content string }
	json.Unmarshal(data, &m)
	c.mu.Lock()
	c.got = append(c.got, name+":"+m.Content)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *collector) waitLen(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		c.mu.Lock()
		got := append([]string(nil), c.got...)
		c.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-c.wake:
		case <-deadline:
			t.Fatalf("have %v, want %d events", got, n)
		}
	}
}

func TestBackfillPagesMergesAndHoldsLiveEvents(t *testing.T) {
	c := newClock()
	s := startEmu(t, emu.Options{Now: c.Now})
	cl, _ := newClient(t, s, nil)
	col := &collector{wake: make(chan struct{}, 1)}
	bf := NewBackfill(BackfillConfig{API: cl, Deliver: col.deliver, Now: c.Now, PageSize: 2, Remember: 100})
	defer bf.Close()
	gen, wel := s.ChannelID("general"), s.ChannelID("welcome")

	s.InjectMessage(gen, "old") // before the first connect: never delivered
	c.Advance(time.Second)
	ready, _ := json.Marshal(map[string]any{"user": s.BotUser(), "channels": []any{
		map[string]any{"id": gen, "type": "text"}, map[string]any{"id": wel, "type": "text"},
		map[string]any{"id": s.ChannelID("staff"), "type": "text"}, map[string]any{"id": "voice-1", "type": "voice"}}})
	bf.Handle("READY", ready)
	live, _ := s.InjectMessage(gen, "live")
	raw, _ := json.Marshal(live)
	bf.Handle("MESSAGE_CREATE", raw)

	// offline: five in #general across seconds, one in #welcome in between
	post := func(ch, content string) emu.Message {
		c.Advance(time.Second)
		m, err := s.InjectMessage(ch, content)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	post(gen, "g1")
	m2 := post(gen, "g2")
	post(wel, "w1")
	post(gen, "g3")
	post(gen, "g4")
	post(gen, "g5")

	bf.Handle("RESUMED", json.RawMessage(`{}`))
	// arrives while the pass runs: must come after the missed ones
	after := post(gen, "after")
	rawAfter, _ := json.Marshal(after)
	bf.Handle("MESSAGE_CREATE", rawAfter)
	rawM2, _ := json.Marshal(m2)
	bf.Handle("MESSAGE_CREATE", rawM2) // a replayed duplicate

	want := "READY:,MESSAGE_CREATE:live,RESUMED:,MESSAGE_CREATE:g1,MESSAGE_CREATE:g2,MESSAGE_CREATE:w1,MESSAGE_CREATE:g3,MESSAGE_CREATE:g4,MESSAGE_CREATE:g5,MESSAGE_CREATE:after"
	got := col.waitLen(t, 10)
	if strings.Join(got, ",") != want {
		t.Fatalf("delivered\n got %v\nwant %s", got, want)
	}
	// a second reconnect with nothing new delivers nothing again
	bf.Handle("RESUMED", json.RawMessage(`{}`))
	got = col.waitLen(t, 11)
	if len(got) != 11 || got[10] != "RESUMED:" {
		t.Fatalf("second resume: %v", got)
	}
	bf.Close() // waits for the pass
	col.mu.Lock()
	n := len(col.got)
	col.mu.Unlock()
	if n != 11 {
		t.Fatalf("messages delivered twice: %v", col.got)
	}
	if c := s.CountRequests("GET", "/api/v1/channels/"+s.ChannelID("staff")+"/messages"); c != 1 {
		t.Fatalf("the unreadable channel was asked %d times, want once (then skipped)", c)
	}
}

func TestIDSetIsBounded(t *testing.T) {
	s := newIDSet(3)
	for _, id := range []string{"a", "b", "c"} {
		if !s.add(id) {
			t.Fatalf("%s not new", id)
		}
	}
	if s.add("a") {
		t.Fatal("a remembered twice")
	}
	s.add("d") // evicts a
	if !s.add("a") || len(s.ids) != 3 {
		t.Fatalf("set not bounded: %v", s.ids)
	}
}
