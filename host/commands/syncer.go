package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// SyncOptions configure a Syncer. Zero values take the defaults.
type SyncOptions struct {
	// DevGuild, when set, receives the commands declared without guild_ids
	// instead of the global scope: guild commands update instantly, global
	// ones can take a while to reach every client.
	DevGuild string
	// Debounce is how long a change waits for more changes before a sync
	// (hot reload saves come in bursts). Default 300 ms.
	Debounce time.Duration
	Clock    Clock
	Log      *slog.Logger
	// OnSync is called after every background sync (the one Start begins
	// and those changes trigger) with its error, nil on success. Flush
	// returns its error instead.
	OnSync func(error)
}

// Syncer keeps the platform's registered commands equal to what the owners
// (scripts) declare. Declarations are cheap; the syncer batches them and
// writes only the scopes whose content changed.
type Syncer struct {
	api    API
	opts   SyncOptions
	router *Router
	kick   chan struct{}

	mu      sync.Mutex // guards owners, nextSeq, claims, appID, started, timer
	owners  map[string]*ownerState
	nextSeq uint64
	claims  map[scopedKey]*declared
	appID   string
	started bool
	timer   Timer

	syncMu     sync.Mutex // serialises syncs; guards registered, touched, confirmed
	registered map[Scope][]map[string]any
	touched    map[Scope]bool
	// confirmed is the fingerprint of the declarations last found equal to
	// (or written to) each scope, so an unchanged scope costs no compare.
	confirmed map[Scope]string

	wg sync.WaitGroup // the Start loop
}

type ownerState struct {
	seq   uint64
	specs []*declared
}

// declared is one valid declaration.
type declared struct {
	owner  string
	where  string
	name   string
	typ    int
	plain  map[string]any // as sent (guild_ids removed)
	canon  map[string]any
	fp     string // canonical JSON of canon
	scopes []Scope
}

type scopedKey struct {
	Scope Scope
	cmdKey
}

// NewSyncer returns a syncer writing through api. Nothing is sent before
// Start.
func NewSyncer(api API, opts SyncOptions) *Syncer {
	if opts.Debounce <= 0 {
		opts.Debounce = 300 * time.Millisecond
	}
	if opts.Clock == nil {
		opts.Clock = RealClock()
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Syncer{
		api: api, opts: opts, router: newRouter(),
		kick:       make(chan struct{}, 1),
		owners:     map[string]*ownerState{},
		claims:     map[scopedKey]*declared{},
		registered: map[Scope][]map[string]any{},
		touched:    map[Scope]bool{},
		confirmed:  map[Scope]string{},
	}
}

// Router routes interactions to the owners of the synced commands.
func (s *Syncer) Router() *Router { return s.router }

// Set replaces everything owner declares. Invalid specs and specs whose
// (scope, type, name) another owner already holds are left out and
// reported in the returned error (a join of *SpecError and
// *ConflictError); the rest take effect at the next sync.
func (s *Syncer) Set(owner string, specs []Spec) error {
	var errs []error
	var decl []*declared
	for _, sp := range specs {
		m, err := validate(sp)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		d := &declared{owner: owner, where: sp.Where, name: str(m, "name"), typ: cmdType(m)}
		if ids := guildIDs(m); len(ids) > 0 {
			for _, g := range ids {
				d.scopes = append(d.scopes, Scope(g))
			}
		} else {
			d.scopes = []Scope{Scope(s.opts.DevGuild)}
		}
		delete(m, "guild_ids")
		d.plain = m
		d.canon = Normalize(m)
		d.fp = canonicalJSON(d.canon)
		decl = append(decl, d)
	}
	s.mu.Lock()
	st, ok := s.owners[owner]
	if !ok {
		s.nextSeq++
		st = &ownerState{seq: s.nextSeq}
		s.owners[owner] = st
	}
	st.specs = decl
	s.releaseLocked(owner)
	// The owner's own declarations first, so its conflicts are reported to
	// it; then others' previously rejected ones may take freed names.
	errs = append(errs, s.claimLocked(owner, decl)...)
	s.sweepLocked()
	s.changedLocked()
	s.mu.Unlock()
	return errors.Join(errs...)
}

// Remove forgets everything owner declared (script unloaded). Its commands
// disappear at the next sync, and its component, modal and autocomplete
// handlers at once.
func (s *Syncer) Remove(owner string) {
	s.router.RemoveHandlers(owner)
	s.mu.Lock()
	delete(s.owners, owner)
	s.releaseLocked(owner)
	s.sweepLocked()
	s.changedLocked()
	s.mu.Unlock()
}

func (s *Syncer) releaseLocked(owner string) {
	for k, d := range s.claims {
		if d.owner == owner {
			delete(s.claims, k)
		}
	}
}

func (s *Syncer) claimLocked(owner string, decl []*declared) []error {
	var errs []error
	for _, d := range decl {
		for _, sc := range d.scopes {
			k := scopedKey{sc, cmdKey{d.typ, d.name}}
			if other, taken := s.claims[k]; taken {
				if other != d {
					errs = append(errs, &ConflictError{Scope: sc, Name: d.name, Type: d.typ,
						Where: d.where, OtherOwner: other.owner, OtherWhere: other.where})
				}
				continue
			}
			s.claims[k] = d
		}
	}
	return errs
}

// sweepLocked lets declarations rejected earlier take names that are free
// now, oldest owner first.
func (s *Syncer) sweepLocked() {
	owners := make([]string, 0, len(s.owners))
	for o := range s.owners {
		owners = append(owners, o)
	}
	sort.Slice(owners, func(i, j int) bool { return s.owners[owners[i]].seq < s.owners[owners[j]].seq })
	for _, o := range owners {
		for _, d := range s.owners[o].specs {
			for _, sc := range d.scopes {
				k := scopedKey{sc, cmdKey{d.typ, d.name}}
				if _, taken := s.claims[k]; !taken {
					s.claims[k] = d
					s.opts.Log.Info("command now active", "command", d.name, "scope", sc.String(), "where", d.where)
				}
			}
		}
	}
}

// changedLocked publishes the name table to the router and schedules a
// debounced sync.
func (s *Syncer) changedLocked() {
	names := make(map[scopedKey]string, len(s.claims))
	for k, d := range s.claims {
		names[k] = d.owner
	}
	s.router.setNames(names)
	if !s.started {
		return
	}
	if s.timer != nil {
		s.timer.Stop()
	}
	s.timer = s.opts.Clock.AfterFunc(s.opts.Debounce, s.poke)
}

func (s *Syncer) poke() {
	select {
	case s.kick <- struct{}{}:
	default: // a sync is already due; it will see the latest state
	}
}

// Start enables syncing for application appID: one sync now, then one per
// debounced burst of changes, until ctx is done. Wait returns after that.
func (s *Syncer) Start(ctx context.Context, appID string) {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return
	}
	s.started, s.appID = true, appID
	s.mu.Unlock()
	s.poke()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			select {
			case <-ctx.Done():
				s.mu.Lock()
				if s.timer != nil {
					s.timer.Stop()
				}
				s.mu.Unlock()
				return
			case <-s.kick:
				err := s.Flush(ctx)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					s.opts.Log.Warn("command sync failed", "err", err)
				}
				if s.opts.OnSync != nil {
					s.opts.OnSync(err)
				}
			}
		}
	}()
}

// Wait blocks until the loop started by Start has stopped.
func (s *Syncer) Wait() { s.wg.Wait() }

// Flush syncs now and returns when done. Scopes are compared with what is
// registered (read once per scope, then remembered from the overwrite
// responses) and only changed scopes are overwritten.
func (s *Syncer) Flush(ctx context.Context) error {
	s.mu.Lock()
	app := s.appID
	desired := map[Scope][]*declared{}
	for k, d := range s.claims {
		desired[k.Scope] = append(desired[k.Scope], d)
	}
	s.mu.Unlock()
	if app == "" {
		return errors.New("sync commands: application id unknown (Start not called)")
	}
	s.syncMu.Lock()
	defer s.syncMu.Unlock()

	// The global scope is always reconciled, so commands no script declares
	// any more disappear, except with a dev guild: then nothing is declared
	// globally and wiping a production app's commands would be a surprise.
	scopes := map[Scope]bool{}
	if s.opts.DevGuild == "" {
		scopes[Global] = true
	}
	for sc := range desired {
		scopes[sc] = true
		s.touched[sc] = true
	}
	for sc := range s.touched {
		scopes[sc] = true
	}
	order := make([]Scope, 0, len(scopes))
	for sc := range scopes {
		order = append(order, sc)
	}
	sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })

	var errs []error
	ids := map[string]commandRoute{}
	for _, sc := range order {
		list := desired[sc]
		// Declaration order within a scope is irrelevant to the platform,
		// but a stable order keeps the request bodies reproducible.
		sort.Slice(list, func(i, j int) bool {
			if list[i].typ != list[j].typ {
				return list[i].typ < list[j].typ
			}
			return list[i].name < list[j].name
		})
		reg, err := s.registeredLocked(ctx, app, sc)
		if err != nil {
			errs = append(errs, &SyncError{Scope: sc, Err: err})
			continue
		}
		fp := fingerprint(list)
		if s.confirmed[sc] != fp && !s.sameAsRegistered(list, reg) {
			delete(s.confirmed, sc)
			body := make([]map[string]any, len(list))
			for i, d := range list {
				body[i] = d.plain
			}
			raw, err := s.api.Do(ctx, http.MethodPut, sc.path(app), body)
			if err != nil {
				errs = append(errs, &SyncError{Scope: sc, Err: err, Problems: attribute(err, list)})
				continue
			}
			if reg, err = decodeCommands(raw); err != nil {
				delete(s.registered, sc)
				errs = append(errs, &SyncError{Scope: sc, Err: err})
				continue
			}
			s.registered[sc] = reg
			s.opts.Log.Info("commands registered", "scope", sc.String(), "count", len(reg))
		}
		s.confirmed[sc] = fp
		for _, r := range reg {
			if id := str(r, "id"); id != "" {
				ids[id] = commandRoute{scope: sc, key: keyOf(r)}
			}
		}
	}
	s.router.setIDs(ids)
	return errors.Join(errs...)
}

func (s *Syncer) sameAsRegistered(list []*declared, reg []map[string]any) bool {
	want := make([]map[string]any, len(list))
	for i, d := range list {
		want[i] = d.canon
	}
	have := make([]map[string]any, len(reg))
	for i, r := range reg {
		have[i] = Normalize(r)
	}
	return sameSet(want, have)
}

// fingerprint identifies a declared set; list is in a stable order.
func fingerprint(list []*declared) string {
	var b strings.Builder
	for _, d := range list {
		b.WriteString(d.fp)
		b.WriteByte('\n')
	}
	return b.String()
}

func (s *Syncer) registeredLocked(ctx context.Context, app string, sc Scope) ([]map[string]any, error) {
	if reg, ok := s.registered[sc]; ok {
		return reg, nil
	}
	raw, err := s.api.Do(ctx, http.MethodGet, sc.path(app), nil)
	if err != nil {
		return nil, err
	}
	reg, err := decodeCommands(raw)
	if err != nil {
		return nil, err
	}
	s.registered[sc] = reg
	return reg, nil
}

func decodeCommands(raw json.RawMessage) ([]map[string]any, error) {
	var list []map[string]any
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("decode registered commands: %w", err)
	}
	return list, nil
}
