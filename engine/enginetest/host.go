package enginetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/botrun/botrun/bindings"
)

// Host builds a bindings.Host whose parts record to rec. The store is
// shared by every script loaded with the same Host value (so a reloaded
// script sees what its previous generation wrote).
type Host struct {
	Rec   *Recorder
	store *memStore
	ids   atomic.Int64
}

// NewHost returns recording platform parts around rec.
func NewHost(rec *Recorder) *Host {
	return &Host{Rec: rec, store: &memStore{data: map[string]json.RawMessage{}}}
}

// Bindings is the bindings.Host to give a script.
func (h *Host) Bindings() *bindings.Host {
	return &bindings.Host{
		Platform:     (*platform)(h),
		Interactions: (*interactions)(h),
		Gateway:      (*gateway)(h),
		Store: func(script string) (bindings.Store, error) {
			return &scopedStore{m: h.store, prefix: script + "/", rec: h.Rec}, nil
		},
		Bot: func() bindings.BotInfo {
			return bindings.BotInfo{User: map[string]any{"id": "999", "username": "botrun", "bot": true}, ApplicationID: "777"}
		},
	}
}

func canon(v any) string {
	if v == nil {
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("!%v", err)
	}
	return string(b)
}

type platform Host

// Request answers by path:
//
//	/wait?for=TEXT   blocks until a message containing TEXT was sent (a slow call)
//	/fail/STATUS     fails with an APIError of that status, code 10008
//	anything else    echoes {"method":..., "path":..., "body":...}
func (p *platform) Request(ctx context.Context, method, path string, body any) (json.RawMessage, error) {
	p.Rec.Add("request %s %s %s", method, path, canon(body))
	if text, ok := strings.CutPrefix(path, "/wait?for="); ok {
		wctx, cancel := context.WithTimeout(ctx, waitTimeout)
		defer cancel()
		if _, err := p.Rec.WaitSeq(wctx, 0, "send *"+text+"*"); err != nil {
			return nil, fmt.Errorf("slow request: %w", ctx.Err())
		}
		return json.RawMessage(`{"slow":true}`), nil
	}
	if st, ok := strings.CutPrefix(path, "/fail/"); ok {
		status, _ := strconv.Atoi(st)
		return nil, &bindings.APIError{Status: status, Code: 10008, Message: "Unknown Message", Method: method, Path: path}
	}
	out, _ := json.Marshal(map[string]any{"method": method, "path": path, "body": body})
	return out, nil
}

func (p *platform) message(channelID string, msg map[string]any) json.RawMessage {
	id := p.ids.Add(1)
	m := map[string]any{"id": strconv.FormatInt(1000+id, 10), "channel_id": channelID}
	for k, v := range msg {
		m[k] = v
	}
	out, _ := json.Marshal(m)
	return out
}

func (p *platform) SendMessage(ctx context.Context, channelID string, msg map[string]any, replyTo string) (json.RawMessage, error) {
	if replyTo != "" {
		p.Rec.Add("send %s %s reply=%s", channelID, canon(msg), replyTo)
	} else {
		p.Rec.Add("send %s %s", channelID, canon(msg))
	}
	return p.message(channelID, msg), nil
}

func (p *platform) EditMessage(ctx context.Context, channelID, messageID string, msg map[string]any) (json.RawMessage, error) {
	p.Rec.Add("edit %s %s %s", channelID, messageID, canon(msg))
	return p.message(channelID, msg), nil
}

func (p *platform) DeleteMessage(ctx context.Context, channelID, messageID string) error {
	p.Rec.Add("delete %s %s", channelID, messageID)
	return nil
}

func (p *platform) AddReaction(ctx context.Context, channelID, messageID, emoji string) error {
	p.Rec.Add("react %s %s %s", channelID, messageID, emoji)
	return nil
}

type interactions Host

func (i *interactions) Respond(ctx context.Context, ix bindings.InteractionRef, kind bindings.ResponseKind, data map[string]any) (json.RawMessage, error) {
	i.Rec.Add("respond %s %d %s", ix.ID, kind, canon(data))
	return nil, nil
}

func (i *interactions) Followup(ctx context.Context, ix bindings.InteractionRef, msg map[string]any) (json.RawMessage, error) {
	i.Rec.Add("followup %s %s", ix.ID, canon(msg))
	return (*platform)(i).message(ix.ChannelID, msg), nil
}

func (i *interactions) EditOriginal(ctx context.Context, ix bindings.InteractionRef, msg map[string]any) (json.RawMessage, error) {
	i.Rec.Add("edit_original %s %s", ix.ID, canon(msg))
	return (*platform)(i).message(ix.ChannelID, msg), nil
}

func (i *interactions) DeleteOriginal(ctx context.Context, ix bindings.InteractionRef) error {
	i.Rec.Add("delete_original %s", ix.ID)
	return nil
}

type gateway Host

func (g *gateway) UpdatePresence(ctx context.Context, presence map[string]any) error {
	g.Rec.Add("presence %s", canon(presence))
	return nil
}

// memStore is the persistent store of a test: it outlives script
// generations.
type memStore struct {
	mu   sync.Mutex // guards data
	data map[string]json.RawMessage
}

type scopedStore struct {
	m      *memStore
	prefix string
	rec    *Recorder
}

func (s *scopedStore) Get(ctx context.Context, key string) (json.RawMessage, bool, error) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	v, ok := s.m.data[s.prefix+key]
	return v, ok, nil
}

func (s *scopedStore) Set(ctx context.Context, key string, value json.RawMessage) error {
	s.m.mu.Lock()
	s.m.data[s.prefix+key] = append(json.RawMessage(nil), value...)
	s.m.mu.Unlock()
	s.rec.Add("store.set %s %s", key, compact(value))
	return nil
}

func (s *scopedStore) Delete(ctx context.Context, key string) error {
	s.m.mu.Lock()
	delete(s.m.data, s.prefix+key)
	s.m.mu.Unlock()
	s.rec.Add("store.delete %s", key)
	return nil
}

func compact(raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	return canon(v)
}
