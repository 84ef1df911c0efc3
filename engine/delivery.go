package engine

import (
	"bytes"
	"log/slog"
	"sync"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine/jsondoc"
)

// Delivery is an event on its way into the scripts that want it; one
// Delivery is shared by all of them. Its data is parsed once, by the first
// script that reads it (Root), on that script's goroutine: the handler
// then reads a document its own core has just written. In the throughput
// benchmark that cut CPU per event by a tenth (JavaScript) to a fifth
// (Lua) against parsing on the gateway's goroutine and reading the
// document from another core.
type Delivery struct {
	Event bindings.Event
	// Doc is the event's data, parsed. Callers that have parsed it set
	// it before the delivery is submitted; otherwise Root sets it. Read it
	// through Root.
	Doc *jsondoc.Doc
	// OnError, when set, is called once (from the script's goroutine) if
	// the handler this delivery reached raised, timed out or was
	// interrupted, after the engine has logged the error. The host uses it
	// to answer a failed interaction instead of leaving the user waiting.
	OnError func(*ScriptError)

	parse sync.Once
	// owned: Event.Data is the delivery's own copy, which the document
	// may point into; otherwise Root parses a copy of it.
	owned bool
}

// ReportFirst returns the error reporter a delivery's handlers share: it
// passes only the first ScriptError to OnError, because one failed
// interaction gets one error reply however many handlers it reached. It is
// nil when OnError is nil. Call the reporter on the script's goroutine only.
func (d *Delivery) ReportFirst() func(*ScriptError) {
	if d.OnError == nil {
		return nil
	}
	done := false
	return func(se *ScriptError) {
		if !done {
			done = true
			d.OnError(se)
		}
	}
}

var nullJSON = []byte("null")

// NewDelivery makes the delivery of ev to every script it reaches. It
// copies ev's data, which handlers may read or keep after the caller has
// reused its buffer (the gateway lends its read buffer), and leaves the
// parse to Root.
func NewDelivery(ev bindings.Event, onError func(*ScriptError)) *Delivery {
	d := &Delivery{Event: ev, OnError: onError, owned: true}
	if len(ev.Data) > 0 {
		d.Event.Data = bytes.Clone(ev.Data)
	}
	return d
}

// Root is the event's data, parsed on the first call (empty data is JSON
// null) and shared by every script; it is safe for concurrent use. When
// the data is not valid JSON, ok is false, and the one caller that parsed
// it also gets the *jsondoc.SyntaxError, so that it is reported once.
func (d *Delivery) Root() (root jsondoc.Value, ok bool, err error) {
	d.parse.Do(func() {
		if d.Doc != nil {
			return
		}
		data := d.Event.Data
		if len(data) == 0 {
			data = nullJSON
		}
		parse := jsondoc.ParseCopy
		if d.owned {
			parse = jsondoc.Parse
		}
		if d.Doc, err = parse(data); err != nil {
			d.Doc = nil
		}
	})
	if d.Doc == nil {
		return jsondoc.Value{}, false, err
	}
	return d.Doc.Root(), true, nil
}

// MalformedRouted is the error an engine reports (OnError) for a routed
// interaction it drops because its data is not valid JSON, so that the
// host still answers the user.
func MalformedRouted(u Unit) *ScriptError {
	return &ScriptError{Kind: KindHandler, Script: u.Name, Path: u.Path,
		Message: "the interaction's data is not valid JSON"}
}

// Parsed is Root for an engine about to run the event's handlers. When the
// data is not valid JSON the event is dropped: ok is false, and log hears
// why, once per event however many scripts it reached.
func (d *Delivery) Parsed(log *slog.Logger) (root jsondoc.Value, ok bool) {
	root, ok, err := d.Root()
	if err != nil {
		log.Warn("dropping event with malformed data", "event", d.Event.Name, "error", err)
	}
	return root, ok
}
