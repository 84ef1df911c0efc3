package jsondoc

import (
	"os"
	"reflect"
	"sync"
	"testing"
)

// TestConcurrentReaders reads fresh Docs from many goroutines at once, so
// that they race to make the tapes of nested containers; run with -race
// it proves those are published safely and every reader sees the same.
func TestConcurrentReaders(t *testing.T) {
	src, err := os.ReadFile("testdata/message_create.json")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	want := toAny(ref.Root())
	for round := 0; round < 20; round++ {
		d, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan string, 8)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				// Half start deep, half walk everything, so both orders race.
				if g%2 == 0 {
					m, _ := d.Root().Get("member")
					if n, _ := m.Get("nick"); n.Str() != "Rin ✨" {
						errs <- "nick " + n.Str()
						return
					}
				}
				if got := toAny(d.Root()); !reflect.DeepEqual(got, want) {
					errs <- "concurrent read differs"
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Fatal(e)
		}
	}
}
