package engine

import (
	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine/jsondoc"
)

var nullJSON = []byte("null")

// NewDelivery parses ev's data once for every script the event reaches,
// into a document that holds its own copy, and points the delivery's
// Event.Data at that copy: handlers may read the event, or keep it, after
// the caller has reused its buffer (the gateway lends its read buffer).
// Empty data is JSON null. A failure is a *jsondoc.SyntaxError.
func NewDelivery(ev bindings.Event, onError func(*ScriptError)) (*Delivery, error) {
	data := ev.Data
	if len(data) == 0 {
		data = nullJSON
	}
	doc, err := jsondoc.ParseCopy(data)
	if err != nil {
		return nil, err
	}
	if len(ev.Data) > 0 {
		ev.Data = doc.Root().Raw()
	}
	return &Delivery{Event: ev, Doc: doc, OnError: onError}, nil
}
