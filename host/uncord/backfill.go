package uncord

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Requester is the REST call Backfill needs; *Client is one.
type Requester interface {
	Do(ctx context.Context, method, path string, body any) (json.RawMessage, error)
}

// BackfillConfig configures a Backfill.
type BackfillConfig struct {
	API Requester
	// Deliver receives every event in order, normalised (see Normalize),
	// including the MESSAGE_CREATEs fetched after a reconnect. It is called
	// from one goroutine at a time and must not block for long.
	Deliver func(name string, data json.RawMessage)
	Logger  *slog.Logger
	Now     func() time.Time
	// Remember is how many message ids are kept to drop duplicates,
	// default 10000.
	Remember int
	PageSize int           // messages per history request, default 100 (the maximum)
	MaxPages int           // history requests per channel per reconnect, default 10
	Timeout  time.Duration // per backfill pass, default 2 minutes
}

// Backfill sits between the gateway and the scripts. Uncord's resume never
// replays events from the offline period, so after every READY or RESUMED
// but the first it lists each visible channel's recent messages over REST
// and delivers, in order, those newer than the last one delivered there
// that were not delivered yet. While it fetches, live events are held back
// so scripts see the missed messages before what happened after them.
// Messages from before the first connect are never replayed.
type Backfill struct {
	cfg BackfillConfig
	log *slog.Logger

	deliverMu sync.Mutex // serialises cfg.Deliver; taken before mu, never while holding it

	mu       sync.Mutex // guards the fields below
	self     string
	channels []string        // visible text channels, READY order
	last     map[string]mark // channel → newest message delivered
	// since is the second of the first READY: history before it is not
	// replayed. (Timestamps have second precision, so a message sent in
	// that very second just before the connection may be replayed once.)
	since   time.Time
	seen    *idSet             // delivered message ids
	running bool               // the backfill goroutine is active
	filling bool               // a pass is due or running: live events wait in held
	again   bool               // a reconnect happened while the goroutine ran
	held    []heldEvent        // live events during a pass
	skip    map[string]bool    // channels the bot may not read (403)
	cancel  context.CancelFunc // stops the running pass
	wg      sync.WaitGroup     // the running pass
	closed  bool
}

type mark struct {
	id string
	at time.Time
}

type heldEvent struct {
	name string
	data json.RawMessage
}

// NewBackfill returns a Backfill delivering to cfg.Deliver.
func NewBackfill(cfg BackfillConfig) *Backfill {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Remember <= 0 {
		cfg.Remember = 10000
	}
	if cfg.PageSize <= 0 || cfg.PageSize > 100 {
		cfg.PageSize = 100
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = 10
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	return &Backfill{cfg: cfg, log: cfg.Logger, last: map[string]mark{}, seen: newIDSet(cfg.Remember), skip: map[string]bool{}}
}

// SelfID is the bot's user id from READY ("" before).
func (b *Backfill) SelfID() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.self
}

// Handle takes one gateway event (the gateway's Dispatch callback passes
// every event here, lifecycle signals included).
func (b *Backfill) Handle(name string, data json.RawMessage) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	data = Normalize(name, data, b.self)
	switch name {
	case "READY":
		first := b.since.IsZero()
		b.readyLocked(data)
		b.mu.Unlock()
		b.deliver(name, data)
		if !first {
			b.start()
		}
		return
	case "RESUMED":
		b.mu.Unlock()
		b.deliver(name, data)
		b.start()
		return
	case "RECONNECTING":
		b.mu.Unlock()
		b.deliver(name, data)
		return
	case "CHANNEL_CREATE", "CHANNEL_UPDATE", "CHANNEL_DELETE":
		b.channelLocked(name, data)
	}
	if b.filling {
		b.held = append(b.held, heldEvent{name, data})
		b.mu.Unlock()
		return
	}
	b.mu.Unlock()
	b.deliverLive(name, data)
}

// Close stops a running pass and waits for it; later events are ignored.
func (b *Backfill) Close() {
	b.mu.Lock()
	b.closed = true
	if b.cancel != nil {
		b.cancel()
	}
	b.mu.Unlock()
	b.wg.Wait()
}

func (b *Backfill) deliver(name string, data json.RawMessage) {
	b.deliverMu.Lock()
	defer b.deliverMu.Unlock()
	b.cfg.Deliver(name, data)
}

// deliverLive delivers one event; a MESSAGE_CREATE already delivered (by
// a backfill) is dropped.
func (b *Backfill) deliverLive(name string, data json.RawMessage) {
	b.deliverMu.Lock()
	defer b.deliverMu.Unlock()
	b.deliverLocked(name, data)
}

func (b *Backfill) deliverLocked(name string, data json.RawMessage) {
	if name == "MESSAGE_CREATE" && !b.note(data) {
		return
	}
	b.cfg.Deliver(name, data)
}

type msgHead struct {
	ID        string `json:"id"`
	ChannelID string `json:"channel_id"`
	CreatedAt string `json:"created_at"`
}

// note records a message as delivered; false if it already was.
func (b *Backfill) note(data json.RawMessage) bool {
	var h msgHead
	if json.Unmarshal(data, &h) != nil || h.ID == "" {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.seen.add(h.ID) {
		return false
	}
	at, _ := time.Parse(time.RFC3339, h.CreatedAt)
	if cur, ok := b.last[h.ChannelID]; !ok || !at.Before(cur.at) {
		b.last[h.ChannelID] = mark{h.ID, at}
	}
	return true
}

func (b *Backfill) readyLocked(data json.RawMessage) {
	var r struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
		Channels []struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		} `json:"channels"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		b.log.Warn("uncord: READY not understood; backfill disabled until the next one", "err", err)
		return
	}
	b.self = r.User.ID
	b.channels = b.channels[:0]
	for _, c := range r.Channels {
		if c.Type == "" || c.Type == "text" {
			b.channels = append(b.channels, c.ID)
		}
	}
	if b.since.IsZero() {
		b.since = b.cfg.Now().UTC().Truncate(time.Second)
	}
}

func (b *Backfill) channelLocked(name string, data json.RawMessage) {
	var c struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	if json.Unmarshal(data, &c) != nil || c.ID == "" {
		return
	}
	delete(b.skip, c.ID) // permissions may have changed
	for i, id := range b.channels {
		if id == c.ID {
			if name == "CHANNEL_DELETE" {
				b.channels = append(b.channels[:i], b.channels[i+1:]...)
			}
			return
		}
	}
	if name == "CHANNEL_CREATE" && (c.Type == "" || c.Type == "text") {
		b.channels = append(b.channels, c.ID)
		// a new channel's history starts now
		b.last[c.ID] = mark{at: b.cfg.Now().UTC().Truncate(time.Second)}
	}
}

// start runs a pass, or queues another one when a pass is running (a
// reconnect during a pass).
func (b *Backfill) start() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.filling = true
	if b.running {
		b.again = true
		return
	}
	b.running = true
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer cancel()
		b.run(ctx)
	}()
}

func (b *Backfill) run(ctx context.Context) {
	for {
		b.pass(ctx)
		// Switch back to live delivery with deliverMu held, so a live event
		// arriving now waits until the held ones are out.
		b.deliverMu.Lock()
		b.mu.Lock()
		if b.again && !b.closed {
			b.again = false
			b.mu.Unlock()
			b.deliverMu.Unlock()
			continue
		}
		held := b.held
		b.held = nil
		b.filling, b.running = false, false
		b.mu.Unlock()
		for _, h := range held {
			b.deliverLocked(h.name, h.data)
		}
		b.deliverMu.Unlock()
		return
	}
}

// pass fetches and delivers what each channel missed.
func (b *Backfill) pass(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.Timeout)
	defer cancel()
	b.mu.Lock()
	channels := append([]string(nil), b.channels...)
	b.mu.Unlock()
	// collect every channel's missed messages, then deliver them merged
	// by time (stable: within a second, channel order then API order)
	type missed struct {
		at   time.Time
		data json.RawMessage
	}
	var all []missed
	for _, ch := range channels {
		b.mu.Lock()
		skip := b.skip[ch]
		from, ok := b.last[ch]
		if !ok {
			from = mark{at: b.since}
		}
		b.mu.Unlock()
		if skip {
			continue
		}
		msgs, err := b.fetch(ctx, ch, from)
		var e *Error
		if errors.As(err, &e) && (e.Status == 403 || e.Status == 404) {
			b.mu.Lock()
			b.skip[ch] = true
			b.mu.Unlock()
			b.log.Debug("uncord: backfill skips a channel the bot cannot read", "channel", ch, "status", e.Status)
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				b.log.Warn("uncord: backfill stopped; messages sent while disconnected may be missing", "err", err)
				break
			}
			b.log.Warn("uncord: backfill of a channel failed; its messages sent while disconnected may be missing", "channel", ch, "err", err)
		}
		for _, m := range msgs {
			var h msgHead
			json.Unmarshal(m, &h)
			at, _ := time.Parse(time.RFC3339, h.CreatedAt)
			all = append(all, missed{at, m})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].at.Before(all[j].at) })
	total := 0
	for _, m := range all {
		b.deliverMu.Lock()
		if b.note(m.data) {
			b.cfg.Deliver("MESSAGE_CREATE", m.data)
			total++
		}
		b.deliverMu.Unlock()
	}
	if total > 0 {
		b.log.Info("uncord: delivered messages sent while disconnected", "count", total)
	}
}

// fetch lists a channel's messages newer than from, oldest first. The API
// returns newest first; its order is kept for messages within one second
// (ids are random UUIDs, timestamps have second precision).
func (b *Backfill) fetch(ctx context.Context, ch string, from mark) ([]json.RawMessage, error) {
	var out []json.RawMessage // newest first
	before := ""
	for page := 0; page < b.cfg.MaxPages; page++ {
		q := url.Values{"limit": {strconv.Itoa(b.cfg.PageSize)}}
		if before != "" {
			q.Set("before", before)
		}
		raw, err := b.cfg.API.Do(ctx, "GET", "/channels/"+url.PathEscape(ch)+"/messages?"+q.Encode(), nil)
		if err != nil {
			return reverse(out), err
		}
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return reverse(out), err
		}
		for _, m := range list {
			var h msgHead
			if json.Unmarshal(m, &h) != nil {
				continue
			}
			at, err := time.Parse(time.RFC3339, h.CreatedAt)
			if h.ID == from.id || (err == nil && at.Before(from.at)) {
				return reverse(out), nil
			}
			out = append(out, Normalize("MESSAGE_CREATE", m, b.SelfID()))
			before = h.ID
		}
		if len(list) < b.cfg.PageSize {
			return reverse(out), nil
		}
	}
	b.log.Warn("uncord: more messages were sent while disconnected than backfill fetches; older ones are skipped",
		"channel", ch, "fetched", len(out))
	return reverse(out), nil
}

func reverse(s []json.RawMessage) []json.RawMessage {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
	return s
}

// idSet remembers the last n ids added.
type idSet struct {
	ids  map[string]struct{}
	ring []string
	next int
}

func newIDSet(n int) *idSet {
	return &idSet{ids: make(map[string]struct{}, n), ring: make([]string, n)}
}

// add reports whether id was new.
func (s *idSet) add(id string) bool {
	if _, ok := s.ids[id]; ok {
		return false
	}
	if old := s.ring[s.next]; old != "" {
		delete(s.ids, old)
	}
	s.ring[s.next] = id
	s.next = (s.next + 1) % len(s.ring)
	s.ids[id] = struct{}{}
	return true
}
