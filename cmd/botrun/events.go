package main

import (
	"encoding/json"
	"sync"

	"github.com/botrun/botrun/bindings"
)

// botState is the bot's identity as READY reported it, for bot.user and
// bot.application_id.
type botState struct {
	mu    sync.RWMutex // guards info and ready
	info  bindings.BotInfo
	ready chan struct{} // closed at the first READY; made on first use
}

// readied is closed once the first READY has been recorded.
func (b *botState) readied() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ready == nil {
		b.ready = make(chan struct{})
	}
	return b.ready
}

func (b *botState) get() bindings.BotInfo {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.info
}

// fromReady records the identity from a READY payload.
func (b *botState) fromReady(data json.RawMessage) {
	var r struct {
		User        map[string]any `json:"user"`
		Application struct {
			ID string `json:"id"`
		} `json:"application"`
	}
	err := json.Unmarshal(data, &r)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ready == nil {
		b.ready = make(chan struct{})
	}
	select {
	case <-b.ready:
	default:
		close(b.ready)
	}
	if err != nil {
		return
	}
	if r.User != nil {
		b.info.User = r.User
	}
	if r.Application.ID != "" {
		b.info.ApplicationID = r.Application.ID
	}
}

// interactionRoute decides which registered handler an INTERACTION_CREATE
// goes to: commands by name, components by custom_id prefix, modals by
// custom_id, autocomplete by command and focused option. It returns nil for
// interactions no handler kind covers (PING).
func interactionRoute(data json.RawMessage) *bindings.Route {
	var ix struct {
		Type int `json:"type"`
		Data struct {
			Name     string    `json:"name"`
			CustomID string    `json:"custom_id"`
			Options  []wireOpt `json:"options"`
		} `json:"data"`
	}
	if json.Unmarshal(data, &ix) != nil {
		return nil
	}
	switch ix.Type {
	case 2:
		return &bindings.Route{Kind: "command", Key: ix.Data.Name}
	case 3:
		return &bindings.Route{Kind: "component", Key: ix.Data.CustomID}
	case 4:
		return &bindings.Route{Kind: "autocomplete", Key: ix.Data.Name, Option: focused(ix.Data.Options)}
	case 5:
		return &bindings.Route{Kind: "modal", Key: ix.Data.CustomID}
	}
	return nil
}

type wireOpt struct {
	Name    string    `json:"name"`
	Focused bool      `json:"focused"`
	Options []wireOpt `json:"options"`
}

func focused(opts []wireOpt) string {
	for _, o := range opts {
		if o.Focused {
			return o.Name
		}
		if f := focused(o.Options); f != "" {
			return f
		}
	}
	return ""
}
