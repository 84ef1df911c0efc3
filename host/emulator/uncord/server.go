package uncord

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is a running Uncord emulator.
type Server struct {
	opts   Options
	secret []byte // HS256 key for access tokens

	ln   net.Listener
	http *http.Server

	mu sync.Mutex // guards everything below
	// world
	serverID                  string
	bot                       account
	tester                    account
	accounts                  map[string]*account // by user id
	channels                  []*Channel
	messages                  map[string]*Message   // by id
	history                   map[string][]*Message // by channel id, oldest first
	members                   []*Member
	refresh                   map[string]*refreshToken
	issued                    map[string]uint64 // access token → generation
	gen                       uint64            // last generation issued
	minGen                    uint64            // tokens of this generation or older are expired (ExpireTokens)
	logins, refreshes, reuses int
	disabled                  map[string]bool // user ids whose tokens are rejected
	// gateway
	conns    map[*conn]bool
	sessions map[string]*storedSession // dropped sessions that may resume
	changed  chan struct{}             // closed on any session change (WaitSessions)
	// rate limiting
	limits map[string]*window
	// observers and request log
	subs     map[int]chan Output
	nextSub  int
	requests []Request
	closed   bool
	wg       sync.WaitGroup // connection goroutines
}

// Request is one REST request the server answered.
type Request struct {
	Method string
	Path   string
	Status int
}

// New builds a server; nothing listens until Start.
func New(opts Options) *Server {
	opts.defaults()
	s := &Server{opts: opts, secret: make([]byte, 32),
		accounts: map[string]*account{}, messages: map[string]*Message{}, history: map[string][]*Message{},
		refresh: map[string]*refreshToken{}, issued: map[string]uint64{}, disabled: map[string]bool{}, conns: map[*conn]bool{}, sessions: map[string]*storedSession{},
		limits: map[string]*window{}, subs: map[int]chan Output{}}
	rand.Read(s.secret)
	s.buildWorld()
	return s
}

func (s *Server) buildWorld() {
	now := stamp(s.opts.Now())
	s.serverID = newUUID()
	s.bot = account{user: User{ID: newUUID(), Username: "botrun"}, email: s.opts.BotEmail, password: s.opts.BotPassword}
	s.tester = account{user: User{ID: newUUID(), Username: "tester"}, email: "tester@botrun.test", password: "tester-password"}
	for _, a := range []*account{&s.bot, &s.tester} {
		s.accounts[a.user.ID] = a
		s.members = append(s.members, &Member{User: a.user, JoinedAt: now, Roles: []string{}, Status: "active"})
	}
	for i, name := range []string{"general", "welcome", "staff"} {
		s.channels = append(s.channels, &Channel{ID: newUUID(), Name: name, Type: "text", Position: i,
			CreatedAt: now, UpdatedAt: now, hidden: name == "staff"})
	}
}

// Start listens on addr ("127.0.0.1:0" for any free port).
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("uncord emulator: listen: %w", err)
	}
	s.ln = ln
	s.http = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.http.Serve(ln)
	}()
	return nil
}

// URL is the server's base URL, e.g. "http://127.0.0.1:41234" (what
// botrun.toml's base_url names). The API is under URL()+"/api/v1".
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops the server: connections drop, Subscribe channels close.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	for id, ch := range s.subs {
		close(ch)
		delete(s.subs, id)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.drop()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	s.wg.Wait()
	if errors.Is(err, context.DeadlineExceeded) {
		s.http.Close()
		err = nil
	}
	return err
}

// apiError is an Uncord error answer.
type apiError struct {
	status     int
	code       string
	message    string
	retryAfter int // seconds, for 429
}

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func writeData(w http.ResponseWriter, status int, v any) {
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"data": v})
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/json")
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(e.retryAfter))
	}
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": e.code, "message": e.message}})
}

func decodeBody(r *http.Request, v any) *apiError {
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(v); err != nil {
		return errorf(400, "VALIDATION_ERROR", "invalid request body")
	}
	return nil
}

// statusWriter records the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets the WebSocket upgrader reach the Hijacker.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Hijack() (net.Conn, *bufioReadWriter, error) {
	return hijack(w.ResponseWriter)
}

// Requests returns the REST requests answered so far, gateway upgrades
// included (they pass the REST middleware on a real server too).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// CountRequests counts answered requests with this method and path.
func (s *Server) CountRequests(method, path string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}
