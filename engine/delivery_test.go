package engine

import (
	"errors"
	"sync"
	"testing"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine/jsondoc"
)

func TestNewDelivery(t *testing.T) {
	buf := []byte(`{"content":"hi"}`)
	d := NewDelivery(bindings.Event{Name: "MESSAGE_CREATE", Data: buf}, nil)
	for i := range buf {
		buf[i] = '#' // the caller reuses its buffer
	}
	if got := string(d.Event.Data); got != `{"content":"hi"}` {
		t.Errorf("Event.Data = %q after the caller's buffer changed", got)
	}
	root, ok, err := d.Root()
	if !ok || err != nil {
		t.Fatalf("Root: %v, %v", ok, err)
	}
	if c, _ := root.Get("content"); c.Str() != "hi" {
		t.Errorf("content = %q", c.Str())
	}

	d = NewDelivery(bindings.Event{Name: "READY"}, nil)
	if root, ok, err := d.Root(); !ok || err != nil || root.Kind() != jsondoc.Null || len(d.Event.Data) != 0 {
		t.Errorf("no data: %v, %v, kind %v (data %q); want a null document and no data", ok, err, root.Kind(), d.Event.Data)
	}
}

// TestDeliveryParsesOnce: scripts reading one delivery at once share one
// document, and malformed data is reported to exactly one of them.
func TestDeliveryParsesOnce(t *testing.T) {
	for _, tt := range []struct {
		name, data string
		ok         bool
	}{{"valid", `{"a":[1,2,3]}`, true}, {"malformed", `{"a":`, false}} {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDelivery(bindings.Event{Name: "X", Data: []byte(tt.data)}, nil)
			const readers = 8
			var (
				wg      sync.WaitGroup
				mu      sync.Mutex // guards the fields below
				reports int
				docs    = map[jsondoc.Value]bool{}
			)
			for range readers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					root, ok, err := d.Root()
					mu.Lock()
					defer mu.Unlock()
					if ok != tt.ok {
						t.Errorf("ok = %v, want %v", ok, tt.ok)
					}
					var se *jsondoc.SyntaxError
					if err != nil {
						reports++
						if !errors.As(err, &se) {
							t.Errorf("error %v, want a *jsondoc.SyntaxError", err)
						}
					}
					if ok {
						docs[root] = true
					}
				}()
			}
			wg.Wait()
			if want := map[bool]int{true: 0, false: 1}[tt.ok]; reports != want {
				t.Errorf("%d readers got the error, want %d", reports, want)
			}
			if tt.ok && len(docs) != 1 {
				t.Errorf("readers saw %d different documents", len(docs))
			}
		})
	}
}

// TestDeliveryWithADoc: a delivery whose document was parsed by the caller
// is not parsed again, and its data need not be owned.
func TestDeliveryWithADoc(t *testing.T) {
	doc, err := jsondoc.Parse([]byte(`{"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	d := &Delivery{Event: bindings.Event{Name: "X", Data: []byte(`not even JSON`)}, Doc: doc}
	root, ok, err := d.Root()
	if !ok || err != nil || d.Doc != doc {
		t.Fatalf("Root: %v, %v; doc replaced: %v", ok, err, d.Doc != doc)
	}
	if n, _ := root.Get("n"); n.Raw() == nil || string(n.Raw()) != "1" {
		t.Errorf("n = %q", n.Raw())
	}
}
