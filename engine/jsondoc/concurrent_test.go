package jsondoc

import (
	"os"
	"reflect"
	"sync"
	"testing"
)

// TestConcurrentReaders reads one Doc from many goroutines; run with -race
// it proves reading never writes shared state.
func TestConcurrentReaders(t *testing.T) {
	src, err := os.ReadFile("testdata/message_create.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	want := toAny(d.Root())
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if got := toAny(d.Root()); !reflect.DeepEqual(got, want) {
					errs <- "concurrent read differs"
					return
				}
				m, _ := d.Root().Get("member")
				if n, _ := m.Get("nick"); n.Str() != "Rin ✨" {
					errs <- "nick " + n.Str()
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}
