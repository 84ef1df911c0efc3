package engine

import (
	"errors"
	"testing"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine/jsondoc"
)

func TestNewDelivery(t *testing.T) {
	buf := []byte(` {"content":"hi"} `)
	d, err := NewDelivery(bindings.Event{Name: "MESSAGE_CREATE", Data: buf}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range buf {
		buf[i] = '#' // the caller reuses its buffer
	}
	if got := string(d.Event.Data); got != `{"content":"hi"}` {
		t.Errorf("Event.Data = %q after the caller's buffer changed", got)
	}
	if c, _ := d.Doc.Root().Get("content"); c.Str() != "hi" {
		t.Errorf("content = %q", c.Str())
	}

	d, err = NewDelivery(bindings.Event{Name: "READY"}, nil)
	if err != nil || d.Doc.Root().Kind() != jsondoc.Null || len(d.Event.Data) != 0 {
		t.Errorf("no data: %v, %v (data %q); want a null document and no data", d, err, d.Event.Data)
	}

	var se *jsondoc.SyntaxError
	if _, err := NewDelivery(bindings.Event{Name: "X", Data: []byte(`{"a":`)}, nil); !errors.As(err, &se) {
		t.Errorf("malformed data: %v, want a *jsondoc.SyntaxError", err)
	}
}
