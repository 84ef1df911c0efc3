package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Manager runs the shards of one bot in this process.
type Manager struct {
	cfg Config
	log *slog.Logger

	mu       sync.Mutex // guards intents, presence, shards, cancel, running
	intents  uint64
	presence any
	shards   []*shard
	cancel   context.CancelFunc
	running  bool
}

// New checks cfg and returns a Manager; nothing connects until Run.
func New(cfg Config) (*Manager, error) {
	if cfg.Token == "" && cfg.Dialect == nil {
		return nil, errors.New("gateway: no token (set DISCORD_TOKEN)")
	}
	if cfg.Bot == nil && cfg.GatewayURL == "" {
		return nil, errors.New("gateway: need Bot (GET /gateway/bot) or GatewayURL")
	}
	if cfg.ShardCount < 0 {
		return nil, fmt.Errorf("gateway: shard count %d is negative", cfg.ShardCount)
	}
	for _, id := range cfg.Shards {
		if id < 0 || (cfg.ShardCount > 0 && id >= cfg.ShardCount) {
			return nil, fmt.Errorf("gateway: shard id %d is outside 0..%d", id, cfg.ShardCount-1)
		}
	}
	if cfg.LargeThreshold != 0 && (cfg.LargeThreshold < 50 || cfg.LargeThreshold > 250) {
		return nil, fmt.Errorf("gateway: large_threshold %d is outside 50..250", cfg.LargeThreshold)
	}
	cfg.defaults()
	m := &Manager{cfg: cfg, log: cfg.Logger, intents: cfg.Intents, presence: cfg.Presence}
	return m, nil
}

// Run connects every shard and keeps them connected until ctx is done (the
// sessions are then closed with 1000, which ends them) or a shard hits a
// fatal close code, returned as *FatalError. It returns nil after ctx ends.
func (m *Manager) Run(ctx context.Context) error {
	m.mu.Lock()
	if m.running {
		m.mu.Unlock()
		return errors.New("gateway: Run called twice")
	}
	m.running = true
	ctx, cancel := context.WithCancel(ctx)
	m.cancel = cancel
	m.mu.Unlock()
	defer cancel()

	info, err := m.discover(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	count := m.cfg.ShardCount
	if count == 0 {
		count = max(info.Shards, 1)
	}
	ids := m.cfg.Shards
	if len(ids) == 0 {
		for i := range count {
			ids = append(ids, i)
		}
	}
	for _, id := range ids {
		if id >= count {
			return fmt.Errorf("gateway: shard id %d is outside 0..%d", id, count-1)
		}
	}
	remaining, reset := -1, time.Duration(0)
	if info.SessionStartLimit.Total > 0 {
		remaining = info.SessionStartLimit.Remaining
		reset = time.Duration(info.SessionStartLimit.ResetAfter) * time.Millisecond
	}
	ident := newIdentifyLimiter(info.SessionStartLimit.MaxConcurrency, m.cfg.IdentifyInterval, remaining, reset, m.cfg.Now, m.cfg.Logger)
	base := info.URL
	if m.cfg.GatewayURL != "" {
		base = m.cfg.GatewayURL
	}
	m.log.Info("gateway: connecting", "url", base, "shards", len(ids), "shard_count", count,
		"intents", m.Intents(), "compress", !m.cfg.DisableCompression)

	shards := make([]*shard, len(ids))
	for i, id := range ids {
		shards[i] = newShard(m, id, count, base, ident)
		if i > 0 {
			shards[i].after = shards[i-1].started
		}
	}
	m.mu.Lock()
	m.shards = shards
	m.mu.Unlock()

	var wg sync.WaitGroup
	var once sync.Once
	var fatal error
	for _, s := range shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.run(ctx); err != nil {
				once.Do(func() { fatal = err })
				cancel()
			}
		}()
	}
	wg.Wait()
	return fatal
}

// discover asks Bot for the gateway URL, shard count and limits.
func (m *Manager) discover(ctx context.Context) (BotInfo, error) {
	var info BotInfo
	if m.cfg.Bot != nil {
		var err error
		info, err = m.cfg.Bot(ctx)
		var st interface{ StatusCode() int }
		if errors.As(err, &st) && st.StatusCode() == 401 {
			// the same bad token would fail Identify with 4004
			fe := fatalError(4004, "", 0)
			fe.Reason, fe.rest = "GET /gateway/bot answered 401 Unauthorized", true
			return info, fe
		}
		if err != nil {
			if m.cfg.GatewayURL == "" {
				return info, fmt.Errorf("gateway: discovering the gateway URL: %w", err)
			}
			m.log.Warn("gateway: GET /gateway/bot failed; using the configured gateway URL with default limits", "err", err)
			info = BotInfo{}
		}
	}
	if info.URL == "" && m.cfg.GatewayURL == "" {
		return info, errors.New("gateway: GET /gateway/bot returned no url")
	}
	return info, nil
}

// Close stops Run (same as cancelling its context).
func (m *Manager) Close() {
	m.mu.Lock()
	c := m.cancel
	m.mu.Unlock()
	if c != nil {
		c()
	}
}

// Intents returns the intents used for the next Identify.
func (m *Manager) Intents() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.intents
}

// SetIntents changes the intents. When bits add intents, every connected
// shard re-identifies now (a new session; events in between are lost);
// when they only remove some, the change applies at the next Identify.
func (m *Manager) SetIntents(bits uint64) {
	m.mu.Lock()
	old := m.intents
	m.intents = bits
	shards := m.shards
	m.mu.Unlock()
	added := bits &^ old
	if added == 0 {
		return
	}
	m.log.Info("gateway: intents grew; re-identifying every shard", "added", IntentNames(added), "intents", bits)
	for _, s := range shards {
		select {
		case s.reidentify <- "intents changed":
		default:
		}
	}
}

// UpdatePresence sends a presence update (op 3) on every connected shard
// through its send limiter, and remembers it for later Identifies.
func (m *Manager) UpdatePresence(ctx context.Context, presence any) error {
	payload := presence
	if pd, ok := m.cfg.Dialect.(presenceDialect); ok {
		payload = pd.Presence(presence)
	}
	b, err := encodeFrame(opPresenceUpdate, payload)
	if err != nil {
		return fmt.Errorf("presence update: %w", err)
	}
	m.mu.Lock()
	m.presence = presence
	shards := m.shards
	m.mu.Unlock()
	var errs []error
	for _, s := range shards {
		if err := s.send(ctx, b); err != nil {
			errs = append(errs, fmt.Errorf("shard %d: %w", s.id, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("presence update: %w", errors.Join(errs...))
	}
	return nil
}

// ShardStatus describes one shard.
type ShardStatus struct {
	ID        int
	Connected bool          // a session is established (after READY or RESUMED)
	Latency   time.Duration // last heartbeat round trip, 0 before the first ACK
	Seq       int64         // last sequence number seen
}

// Status reports every shard.
func (m *Manager) Status() []ShardStatus {
	m.mu.Lock()
	shards := m.shards
	m.mu.Unlock()
	out := make([]ShardStatus, len(shards))
	for i, s := range shards {
		out[i] = ShardStatus{ID: s.id, Connected: s.current() != nil,
			Latency: time.Duration(s.latency.Load()), Seq: s.seqSeen.Load()}
	}
	return out
}

// Latency is the average heartbeat round trip of the shards that have one.
func (m *Manager) Latency() time.Duration {
	var sum time.Duration
	n := 0
	for _, st := range m.Status() {
		if st.Latency > 0 {
			sum += st.Latency
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / time.Duration(n)
}

// dialURL adds v, encoding and compress to a gateway URL.
func (m *Manager) dialURL(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("gateway url %q: %w", base, err)
	}
	switch u.Scheme {
	case "ws", "wss":
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("gateway url %q: scheme must be wss or ws", base)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	q := u.Query()
	q.Set("v", strconv.Itoa(m.cfg.APIVersion))
	q.Set("encoding", "json")
	if !m.cfg.DisableCompression {
		q.Set("compress", "zlib-stream")
	} else {
		q.Del("compress")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}
