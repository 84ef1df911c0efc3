package uncord

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// AuthConfig configures Auth. Credentials come from the environment
// (UNCORD_EMAIL, UNCORD_PASSWORD, UNCORD_REFRESH_TOKEN); the CLI passes them in.
type AuthConfig struct {
	BaseURL      string // server URL, e.g. https://chat.example.org (the API is under /api/v1)
	Email        string
	Password     string
	RefreshToken string
	// StatePath is where rotated refresh tokens are kept (mode 0600), e.g.
	// <botdir>/.botrun/uncord.json. Empty: not persisted (tests).
	StatePath  string
	HTTPClient *http.Client
	Now        func() time.Time
	Logger     *slog.Logger

	// RefreshBefore is how long before the access token's expiry it is
	// replaced, default 2 minutes.
	RefreshBefore time.Duration
	// AuthLimit requests per AuthWindow to the auth endpoints, default 5 per
	// 5 minutes (the server's per-IP limit). Sleep waits out the budget.
	AuthLimit  int
	AuthWindow time.Duration
	Sleep      func(ctx context.Context, d time.Duration) error
}

// Auth owns the bot's credentials and its current access token.
type Auth struct {
	cfg  AuthConfig
	api  string // BaseURL + /api/v1
	http *http.Client
	log  *slog.Logger

	mu      sync.Mutex // guards access, expires, userID (never held across I/O)
	access  string
	expires time.Time
	userID  string

	// renew is a one-slot semaphore held while a token is being obtained,
	// so only one auth request runs at a time; it guards refresh,
	// attempts, blocked and the state file.
	renew    chan struct{}
	refresh  string      // not yet spent; "" when none is known
	attempts []time.Time // auth requests within the last AuthWindow
	blocked  time.Time   // the server said 429 until then
}

// stateFile is the persisted refresh token. EnvSHA256 remembers which
// UNCORD_REFRESH_TOKEN it descends from, so that a new one set in the
// environment wins over the saved state.
type stateFile struct {
	RefreshToken string `json:"refresh_token"`
	UserID       string `json:"user_id,omitempty"`
	EnvSHA256    string `json:"env_sha256,omitempty"`
	UpdatedAt    string `json:"updated_at"`
}

// NewAuth checks the configuration and reads the saved state. It does not
// contact the server.
func NewAuth(cfg AuthConfig) (*Auth, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("uncord: base_url is not set (botrun.toml: base_url = \"https://your.uncord.server\")")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RefreshBefore <= 0 {
		cfg.RefreshBefore = 2 * time.Minute
	}
	if cfg.AuthLimit <= 0 {
		cfg.AuthLimit = 5
	}
	if cfg.AuthWindow <= 0 {
		cfg.AuthWindow = 5 * time.Minute
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	a := &Auth{cfg: cfg, api: apiBase(cfg.BaseURL), http: cfg.HTTPClient, log: cfg.Logger, refresh: cfg.RefreshToken,
		renew: make(chan struct{}, 1)}
	st, err := a.readState()
	if err != nil {
		return nil, err
	}
	if st.RefreshToken != "" && (cfg.RefreshToken == "" || st.EnvSHA256 == envHash(cfg.RefreshToken)) {
		a.refresh, a.userID = st.RefreshToken, st.UserID
	}
	if a.refresh == "" && (cfg.Email == "" || cfg.Password == "") {
		return nil, &AuthError{Msg: "no credentials: set UNCORD_EMAIL and UNCORD_PASSWORD, or UNCORD_REFRESH_TOKEN"}
	}
	return a, nil
}

func apiBase(base string) string {
	base = strings.TrimRight(base, "/")
	return strings.TrimSuffix(base, "/api/v1") + "/api/v1"
}

func envHash(tok string) string {
	if tok == "" {
		return ""
	}
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// UserID is the bot's user id, known after the first login or refresh.
func (a *Auth) UserID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.userID
}

// Token returns an access token valid for at least RefreshBefore,
// refreshing or logging in when needed. The gateway calls it before every
// connect, REST before every request.
func (a *Auth) Token(ctx context.Context) (string, error) {
	if tok, ok := a.current(); ok {
		return tok, nil
	}
	select {
	case a.renew <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("uncord: waiting for a token: %w", context.Cause(ctx))
	}
	defer func() { <-a.renew }()
	if tok, ok := a.current(); ok { // renewed while we waited
		return tok, nil
	}
	if err := a.renewLocked(ctx); err != nil {
		return "", err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.access, nil // even if its lifetime is shorter than RefreshBefore
}

// current returns the access token if it is good for RefreshBefore more.
func (a *Auth) current() (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.access != "" && a.cfg.Now().Add(a.cfg.RefreshBefore).Before(a.expires) {
		return a.access, true
	}
	return "", false
}

// Invalidate reports that the server rejected tok (401 TOKEN_EXPIRED, close
// 4004): the next Token call gets a new one. A newer token is kept. It
// never waits for a renewal in progress.
func (a *Auth) Invalidate(tok string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.access == tok {
		a.access = ""
	}
}

// renewLocked gets a new access token: refresh token first, then email and
// password. The caller holds renew.
func (a *Auth) renewLocked(ctx context.Context) error {
	if a.refresh != "" {
		err := a.refreshLocked(ctx)
		if err == nil {
			return nil
		}
		var ae *apiAuthError
		if !errors.As(err, &ae) {
			return err // transport or limit trouble: the refresh token is kept for the next try
		}
		if a.cfg.Email == "" || a.cfg.Password == "" {
			return &AuthError{Msg: "the refresh token was rejected (" + ae.code + ") and no UNCORD_EMAIL/UNCORD_PASSWORD are set to log in again; set them, or a new UNCORD_REFRESH_TOKEN"}
		}
		a.log.Warn("uncord: refresh token rejected; logging in with email and password", "code", ae.code)
	}
	if a.cfg.Email == "" || a.cfg.Password == "" {
		return &AuthError{Msg: "no credentials left to log in with: set UNCORD_EMAIL and UNCORD_PASSWORD, or UNCORD_REFRESH_TOKEN"}
	}
	return a.loginLocked(ctx)
}

// apiAuthError is the server refusing a credential (not a transport error).
type apiAuthError struct {
	status int
	code   string
	msg    string
}

func (e *apiAuthError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.msg) }

func (a *Auth) refreshLocked(ctx context.Context) error {
	tok := a.refresh
	var out struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	err := a.postLocked(ctx, "/auth/refresh", map[string]string{"refresh_token": tok}, &out)
	var ae *apiAuthError
	switch {
	case errors.As(err, &ae):
		// spent, expired or revoked: never send it again
		a.refresh = ""
		a.saveLocked()
		return err
	case err != nil && !unsent(err):
		// the server may have rotated it before the answer got lost; it is
		// spent unless there is no other way in
		if a.cfg.Email != "" && a.cfg.Password != "" {
			a.refresh = ""
		}
		return err
	case err != nil:
		return err
	}
	if out.AccessToken == "" || out.RefreshToken == "" {
		return errors.New("uncord: refresh: the answer has no tokens")
	}
	a.setAccessLocked(out.AccessToken)
	a.refresh = out.RefreshToken
	if err := a.saveLocked(); err != nil {
		a.log.Error("uncord: could not save the rotated refresh token; a restart will log in again", "err", err)
	}
	a.log.Info("uncord: access token refreshed")
	return nil
}

func (a *Auth) loginLocked(ctx context.Context) error {
	var out struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		MFARequired  bool   `json:"mfa_required"`
	}
	err := a.postLocked(ctx, "/auth/login", map[string]string{"email": a.cfg.Email, "password": a.cfg.Password}, &out)
	var ae *apiAuthError
	if errors.As(err, &ae) {
		return &AuthError{Msg: "login failed: the server rejected UNCORD_EMAIL/UNCORD_PASSWORD (" + ae.code + ": " + ae.msg + ")"}
	}
	if err != nil {
		return err
	}
	if out.MFARequired {
		return &AuthError{Msg: "the bot account has MFA enabled, which botrun cannot answer; disable MFA for the bot account or set UNCORD_REFRESH_TOKEN"}
	}
	if out.AccessToken == "" || out.RefreshToken == "" {
		return errors.New("uncord: login: the answer has no tokens")
	}
	a.setAccessLocked(out.AccessToken)
	a.refresh = out.RefreshToken
	if out.User.ID != "" {
		a.mu.Lock()
		a.userID = out.User.ID
		a.mu.Unlock()
	}
	if err := a.saveLocked(); err != nil {
		a.log.Error("uncord: could not save the refresh token; a restart will log in again", "err", err)
	}
	a.log.Info("uncord: logged in", "user_id", a.UserID())
	return nil
}

// setAccessLocked stores an access token and reads its lifetime and
// subject (the JWT is not verified: that is the server's business). The
// lifetime is exp - iat counted from now, so a server clock that differs
// from ours does not make a fresh token look expired (or eternal).
func (a *Auth) setAccessLocked(tok string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.access = tok
	a.expires = a.cfg.Now().Add(15 * time.Minute)
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return
	}
	var c struct {
		Sub string `json:"sub"`
		Iat int64  `json:"iat"`
		Exp int64  `json:"exp"`
	}
	if json.Unmarshal(raw, &c) == nil {
		if life := time.Duration(c.Exp-c.Iat) * time.Second; c.Iat > 0 && life > 0 && life < 24*time.Hour {
			a.expires = a.cfg.Now().Add(life)
		}
		if c.Sub != "" {
			a.userID = c.Sub
		}
	}
}

// waitBudgetLocked keeps the auth endpoints under their per-IP limit: it
// waits (and says so) rather than spend a request the server would refuse.
func (a *Auth) waitBudgetLocked(ctx context.Context) error {
	for {
		now := a.cfg.Now()
		keep := a.attempts[:0]
		for _, t := range a.attempts {
			if now.Sub(t) < a.cfg.AuthWindow {
				keep = append(keep, t)
			}
		}
		a.attempts = keep
		var wait time.Duration
		if len(a.attempts) >= a.cfg.AuthLimit {
			wait = a.attempts[0].Add(a.cfg.AuthWindow).Sub(now)
		}
		if d := a.blocked.Sub(now); d > wait {
			wait = d
		}
		if wait <= 0 {
			a.attempts = append(a.attempts, now)
			return nil
		}
		a.log.Warn("uncord: auth requests are limited to 5 per 5 minutes; waiting before the next one", "wait", wait.Round(time.Second))
		if err := a.cfg.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("uncord: waiting for the auth rate limit: %w", err)
		}
	}
}

// postLocked performs one auth request; out receives the "data" object.
func (a *Auth) postLocked(ctx context.Context, path string, body any, out any) error {
	if err := a.waitBudgetLocked(ctx); err != nil {
		return err
	}
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.api+path, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("uncord: %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := a.http.Do(req)
	if err != nil {
		return &transportError{path: path, err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return &transportError{path: path, err: err}
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		wait := retryAfter(resp.Header, 60*time.Second)
		a.blocked = a.cfg.Now().Add(wait)
		a.log.Warn("uncord: the server rate-limited authentication; backing off", "wait", wait)
		return fmt.Errorf("uncord: %s: rate limited for %s", path, wait)
	}
	if resp.StatusCode >= 400 {
		code, msg := parseError(raw)
		if resp.StatusCode == 400 || resp.StatusCode == 401 || resp.StatusCode == 403 {
			return &apiAuthError{status: resp.StatusCode, code: code, msg: msg}
		}
		return fmt.Errorf("uncord: %s: %d %s: %s", path, resp.StatusCode, code, msg)
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil || len(env.Data) == 0 {
		return fmt.Errorf("uncord: %s: the answer is not a {\"data\":…} envelope", path)
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fmt.Errorf("uncord: %s: %w", path, err)
	}
	return nil
}

// transportError is a request that got no HTTP answer. Its text never
// includes the request body.
type transportError struct {
	path string
	err  error
}

func (e *transportError) Error() string { return "uncord: " + e.path + ": " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// unsent reports whether a failed request certainly never reached the
// server (the connection could not be made).
func unsent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func (a *Auth) readState() (stateFile, error) {
	var st stateFile
	if a.cfg.StatePath == "" {
		return st, nil
	}
	b, err := os.ReadFile(a.cfg.StatePath)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("uncord: reading %s: %w", a.cfg.StatePath, err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		a.log.Warn("uncord: ignoring an unreadable state file", "path", a.cfg.StatePath, "err", err)
		return stateFile{}, nil
	}
	return st, nil
}

// saveLocked writes the current refresh token atomically with mode 0600.
func (a *Auth) saveLocked() error {
	if a.cfg.StatePath == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(a.cfg.StatePath), 0o700); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(stateFile{RefreshToken: a.refresh, UserID: a.UserID(),
		EnvSHA256: envHash(a.cfg.RefreshToken), UpdatedAt: a.cfg.Now().UTC().Format(time.RFC3339)}, "", "  ")
	tmp, err := os.CreateTemp(filepath.Dir(a.cfg.StatePath), ".uncord-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), a.cfg.StatePath)
}

// KeepFresh calls Token every interval until ctx ends, so the access token
// is renewed before it expires even while the bot makes no requests, and
// the refresh token (valid 7 days, rotated on each use) never lapses on a
// long-running bot. Failures are logged; the next call retries.
func (a *Auth) KeepFresh(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := a.Token(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("uncord: keeping the access token fresh failed; retrying later", "err", err)
			}
		}
	}
}
