package uncord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// TokenSource provides access tokens; *Auth is one.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
	Invalidate(token string)
}

// ClientConfig configures a Client.
type ClientConfig struct {
	BaseURL    string // server URL; requests go to BaseURL/api/v1/...
	Auth       TokenSource
	HTTPClient *http.Client
	Logger     *slog.Logger
	Now        func() time.Time
	Sleep      func(ctx context.Context, d time.Duration) error
	// MessageLimit messages per MessageWindow per channel, default 5 per
	// 5 s (the server's per-user-and-channel limit): sends beyond it wait
	// here instead of collecting 429s.
	MessageLimit  int
	MessageWindow time.Duration
	MaxRetries    int           // 429 and 5xx retries per request, default 3
	MaxWait       time.Duration // longest Retry-After honoured before failing, default 60 s
}

// Client is the Uncord REST API as botrun uses it.
type Client struct {
	cfg  ClientConfig
	api  string
	http *http.Client
	log  *slog.Logger

	mu       sync.Mutex             // guards sent and globalAt
	sent     map[string][]time.Time // channel id → recent message creates
	globalAt time.Time              // the global per-IP budget is empty until then
	warned   sync.Map               // unsupported message fields already warned about
}

// NewClient returns a Client. Auth is required.
func NewClient(cfg ClientConfig) (*Client, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("uncord: base_url is not set")
	}
	if cfg.Auth == nil {
		return nil, errors.New("uncord: client needs Auth")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	if cfg.MessageLimit <= 0 {
		cfg.MessageLimit = 5
	}
	if cfg.MessageWindow <= 0 {
		cfg.MessageWindow = 5 * time.Second
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 3
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 60 * time.Second
	}
	return &Client{cfg: cfg, api: apiBase(cfg.BaseURL), http: cfg.HTTPClient, log: cfg.Logger, sent: map[string][]time.Time{}}, nil
}

// Do performs one API call. path is relative to /api/v1 and may carry a
// query ("/channels/x/messages?limit=10"). It returns the unwrapped "data"
// (nil for 204), or *Error.
func (c *Client) Do(ctx context.Context, method, path string, body any) (json.RawMessage, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("uncord: %s %s: encoding the body: %w", method, path, err)
		}
	}
	if ch, ok := messageCreateChannel(method, path); ok {
		if err := c.waitChannel(ctx, ch); err != nil {
			return nil, err
		}
	}
	refreshed := false
	for attempt := 0; ; attempt++ {
		if err := c.waitGlobal(ctx); err != nil {
			return nil, err
		}
		tok, err := c.cfg.Auth.Token(ctx)
		if err != nil {
			return nil, err
		}
		data, err := c.once(ctx, method, path, payload, tok)
		var e *Error
		if !errors.As(err, &e) {
			return data, err
		}
		switch {
		case e.Status == http.StatusUnauthorized && (e.Code == "TOKEN_EXPIRED" || e.Code == "INVALID_TOKEN") && !refreshed:
			refreshed = true
			c.cfg.Auth.Invalidate(tok)
			c.log.Debug("uncord: access token rejected; refreshing and retrying once", "code", e.Code)
			continue
		case e.Status == http.StatusTooManyRequests && attempt < c.cfg.MaxRetries:
			if e.RetryAfter > c.cfg.MaxWait {
				return nil, e
			}
			c.log.Warn("uncord: rate limited; waiting", "method", method, "path", e.Path, "retry_after", e.RetryAfter)
			if err := c.cfg.Sleep(ctx, e.RetryAfter); err != nil {
				return nil, err
			}
			continue
		case e.Status >= 500 && e.Status != 501 && attempt < c.cfg.MaxRetries && method == http.MethodGet:
			if err := c.cfg.Sleep(ctx, time.Duration(attempt+1)*500*time.Millisecond); err != nil {
				return nil, err
			}
			continue
		}
		return nil, e
	}
}

func (c *Client) once(ctx context.Context, method, path string, payload []byte, tok string) (json.RawMessage, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.api+path, rd)
	if err != nil {
		return nil, fmt.Errorf("uncord: %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("User-Agent", userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &transportError{path: method + " " + trimQuery(path), err: err}
	}
	defer resp.Body.Close()
	c.noteGlobal(resp.Header)
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, &transportError{path: method + " " + trimQuery(path), err: err}
	}
	if resp.StatusCode >= 400 {
		e := &Error{Status: resp.StatusCode, Method: method, Path: trimQuery(path)}
		e.Code, e.Message = parseError(raw)
		var env struct {
			Error json.RawMessage `json:"error"`
		}
		if json.Unmarshal(raw, &env) == nil {
			e.Raw = env.Error
		}
		if e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			e.RetryAfter = retryAfter(resp.Header, time.Second)
		}
		return nil, e
	}
	if resp.StatusCode == http.StatusNoContent || len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("uncord: %s %s: answer is not JSON: %w", method, trimQuery(path), err)
	}
	if env.Data == nil {
		return json.RawMessage(raw), nil
	}
	return env.Data, nil
}

func trimQuery(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}

// noteGlobal remembers an exhausted per-IP budget (X-Ratelimit-Remaining
// 0, X-Ratelimit-Reset seconds) so the next request waits instead of
// collecting a 429.
func (c *Client) noteGlobal(h http.Header) {
	rem, err1 := strconv.Atoi(h.Get("X-Ratelimit-Remaining"))
	reset, err2 := strconv.ParseFloat(h.Get("X-Ratelimit-Reset"), 64)
	if err1 != nil || err2 != nil || rem > 0 {
		return
	}
	c.mu.Lock()
	c.globalAt = c.cfg.Now().Add(time.Duration(reset * float64(time.Second)))
	c.mu.Unlock()
}

func (c *Client) waitGlobal(ctx context.Context) error {
	c.mu.Lock()
	wait := c.globalAt.Sub(c.cfg.Now())
	c.mu.Unlock()
	if wait <= 0 {
		return nil
	}
	if wait > c.cfg.MaxWait {
		wait = c.cfg.MaxWait
	}
	c.log.Debug("uncord: per-IP request budget used up; waiting", "wait", wait)
	return c.cfg.Sleep(ctx, wait)
}

// messageCreateChannel recognises POST /channels/{id}/messages.
func messageCreateChannel(method, path string) (string, bool) {
	if method != http.MethodPost {
		return "", false
	}
	rest, ok := strings.CutPrefix(trimQuery(path), "/channels/")
	if !ok {
		return "", false
	}
	ch, tail, ok := strings.Cut(rest, "/")
	return ch, ok && tail == "messages" && ch != ""
}

// waitChannel keeps message creates in one channel within the server's
// per-channel limit.
func (c *Client) waitChannel(ctx context.Context, ch string) error {
	for {
		c.mu.Lock()
		now := c.cfg.Now()
		keep := c.sent[ch][:0]
		for _, t := range c.sent[ch] {
			if now.Sub(t) < c.cfg.MessageWindow {
				keep = append(keep, t)
			}
		}
		var wait time.Duration
		if len(keep) >= c.cfg.MessageLimit {
			wait = keep[0].Add(c.cfg.MessageWindow).Sub(now)
		} else {
			keep = append(keep, now)
		}
		if len(keep) == 0 {
			delete(c.sent, ch)
		} else {
			c.sent[ch] = keep
		}
		c.mu.Unlock()
		if wait <= 0 {
			return nil
		}
		if err := c.cfg.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}
