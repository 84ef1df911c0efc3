package emulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is the emulator: one HTTP listener serving REST under /api/v9 and
// /api/v10 and the gateway WebSocket at / and /resume.
type Server struct {
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux // REST routes, unversioned ("GET /channels/{channel_id}")

	// mu guards everything below it: the world, sessions and connections,
	// subscribers, the request log, faults and rate-limit state. Holding one
	// lock while a dispatch is queued on every connection is what keeps
	// each session's events in sequence order.
	mu            sync.Mutex
	w             *world
	sessions      map[string]*session
	conns         map[*conn]struct{}
	subs          map[int]chan Output
	nextSub       int
	requests      []Request
	faults        []*Fault
	delay         time.Duration
	buckets       map[string]*bucketState
	global        *bucketState
	routeLimits   map[string]RateLimit
	startLeft     int
	lastIdentify  map[int]time.Time // by shard % max_concurrency
	acksOff       map[int]bool      // by shard (-1: not identified yet); overrides acksAllOff
	acksAllOff    bool
	changed       chan struct{} // closed and replaced when sessions change
	nextSessionID int

	ln     net.Listener
	hs     *http.Server
	url    string
	ctx    context.Context // cancelled by Close; stops every goroutine
	cancel context.CancelFunc
	wg     sync.WaitGroup // connection goroutines
	closed bool

	inflight atomic.Int64 // REST requests being served, for tests
}

// New builds a Server; nothing listens until Start.
func New(opts Options) *Server {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		opts:         opts,
		log:          opts.Logger,
		w:            newWorld(opts.Guilds, opts.Now()),
		sessions:     map[string]*session{},
		conns:        map[*conn]struct{}{},
		subs:         map[int]chan Output{},
		buckets:      map[string]*bucketState{},
		routeLimits:  map[string]RateLimit{},
		startLeft:    1000,
		lastIdentify: map[int]time.Time{},
		acksOff:      map[int]bool{},
		changed:      make(chan struct{}),
		ctx:          ctx,
		cancel:       cancel,
	}
	for k, v := range opts.RateLimits {
		s.routeLimits[k] = v
	}
	s.mux = http.NewServeMux()
	s.routes()
	return s
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves in
// the background until Close.
func (s *Server) Start(addr string) error {
	s.mu.Lock()
	started, closed := s.ln != nil, s.closed
	s.mu.Unlock()
	switch {
	case closed:
		return errors.New("emulator: start: server already closed")
	case started:
		return errors.New("emulator: start: already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("emulator: listen on %s: %w", addr, err)
	}
	s.mu.Lock()
	s.ln = ln
	s.url = "http://" + ln.Addr().String()
	s.hs = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("emulator: serve", "error", err)
		}
	}()
	s.log.Info("emulator listening", "api", s.APIBase(), "gateway", s.GatewayURL())
	return nil
}

// URL is the HTTP root, e.g. http://127.0.0.1:40123.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// APIBase is the REST base for v10, URL()+"/api/v10".
func (s *Server) APIBase() string { return s.URL() + "/api/v10" }

// GatewayURL is the gateway URL GET /gateway returns, ws://127.0.0.1:PORT.
func (s *Server) GatewayURL() string { return "ws" + strings.TrimPrefix(s.URL(), "http") }

func (s *Server) resumeURL() string { return "ws" + strings.TrimPrefix(s.url, "http") + "/resume" }

// Close stops the listener, drops every gateway connection and waits for
// all of the server's goroutines to end.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	hs := s.hs
	for c := range s.conns {
		c.closeNow()
	}
	for id, ch := range s.subs {
		close(ch)
		delete(s.subs, id)
	}
	s.mu.Unlock()
	s.cancel()
	var err error
	if hs != nil {
		err = hs.Close()
	}
	s.wg.Wait()
	return err
}

// ServeHTTP routes gateway upgrades and REST calls.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/" || r.URL.Path == "/resume" || r.URL.Path == "":
		if !isWebSocket(r) {
			writeError(w, http.StatusNotFound, 0, "404: Not Found")
			return
		}
		s.serveGateway(w, r, r.URL.Path == "/resume")
	case strings.HasPrefix(r.URL.Path, controlPrefix):
		s.serveControl(w, r)
	case strings.HasPrefix(r.URL.Path, "/api/"):
		s.serveREST(w, r)
	default:
		writeError(w, http.StatusNotFound, 0, "404: Not Found")
	}
}

func isWebSocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// now is the injected clock.
func (s *Server) now() time.Time { return s.opts.Now() }

// notifyChangedLocked wakes WaitSessions callers. Caller holds s.mu.
func (s *Server) notifyChangedLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}
