package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Version is sent in the User-Agent.
var Version = "0.1.0"

// DefaultBaseURL is Discord's API v10.
const DefaultBaseURL = "https://discord.com/api/v10"

// maxResponse bounds how much of a response body is read.
const maxResponse = 32 << 20

// max429Retries bounds how often one call waits out a 429 before giving up.
const max429Retries = 5

// Config configures a Client. Zero values take the documented defaults.
type Config struct {
	BaseURL    string // default DefaultBaseURL
	Token      string
	AuthScheme string // "Bot" (default) or "Bearer"
	HTTPClient *http.Client
	UserAgent  string // default "DiscordBot (https://github.com/botrun/botrun, <Version>) botrun"
	// GlobalLimit is the global requests-per-second limit (default 50);
	// negative disables it.
	GlobalLimit int
	Timeout     time.Duration // per attempt, default 15 s
	// MaxRetries bounds retries of 5xx answers and network errors for
	// idempotent methods (default 3; negative means none).
	MaxRetries   int
	RetryBackoff time.Duration // first retry delay, doubled each time (default 500 ms)
	// InvalidRequestLimit: refuse to send once this many 401/403/429
	// responses arrived within ten minutes (default 9000; Discord bans at
	// 10,000). Negative disables the guard.
	InvalidRequestLimit int
	Logger              *slog.Logger
	Now                 func() time.Time
}

// Client calls the REST API. It is safe for concurrent use.
type Client struct {
	base    string
	auth    string // full Authorization header value; never logged
	ua      string
	http    *http.Client
	timeout time.Duration
	retries int
	backoff time.Duration
	log     *slog.Logger
	now     func() time.Time
	lim     *limiter
}

// New returns a Client for cfg.
func New(cfg Config) *Client {
	c := &Client{
		base:    strings.TrimRight(cfg.BaseURL, "/"),
		ua:      cfg.UserAgent,
		http:    cfg.HTTPClient,
		timeout: cfg.Timeout,
		retries: cfg.MaxRetries,
		backoff: cfg.RetryBackoff,
		log:     cfg.Logger,
		now:     cfg.Now,
	}
	if c.base == "" {
		c.base = DefaultBaseURL
	}
	if cfg.Token != "" {
		scheme := cfg.AuthScheme
		if scheme == "" {
			scheme = "Bot"
		}
		c.auth = scheme + " " + cfg.Token
	}
	if c.ua == "" {
		c.ua = "DiscordBot (https://github.com/botrun/botrun, " + Version + ") botrun"
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.timeout <= 0 {
		c.timeout = 15 * time.Second
	}
	switch {
	case c.retries == 0:
		c.retries = 3
	case c.retries < 0:
		c.retries = 0
	}
	if c.backoff <= 0 {
		c.backoff = 500 * time.Millisecond
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	global := cfg.GlobalLimit
	if global == 0 {
		global = 50
	}
	invalid := cfg.InvalidRequestLimit
	if invalid == 0 {
		invalid = 9000
	}
	c.lim = newLimiter(c.now, max(global, 0), max(invalid, 0))
	return c
}

// BaseURL returns the API base the client talks to.
func (c *Client) BaseURL() string { return c.base }

// Do performs a request with a JSON body (nil for none) and returns the raw
// response body (nil for 204). path is relative to the API base and may
// carry a query string.
func (c *Client) Do(ctx context.Context, method, path string, body any) (json.RawMessage, error) {
	return c.DoWith(ctx, method, path, body)
}

// DoWith is Do with options (audit-log reason, files, no auth, query, no
// waiting on rate limits).
func (c *Client) DoWith(ctx context.Context, method, path string, body any, opts ...Option) (json.RawMessage, error) {
	var o reqOpts
	for _, opt := range opts {
		opt(&o)
	}
	method = strings.ToUpper(method)
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	urlPath, rawQuery, _ := strings.Cut(path, "?")
	// rawPath names the request in errors and logs, with tokens hidden
	rawPath := redactPath(urlPath)
	if strings.Contains(urlPath, "..") {
		return nil, fmt.Errorf("%s %s: path must not contain \"..\"", method, rawPath)
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("%s %s: bad query: %w", method, rawPath, err)
	}
	for k, vs := range o.query {
		q[k] = append(q[k], vs...)
	}
	payload, ctype, err := encodeBody(body, o.files)
	if err != nil {
		return nil, fmt.Errorf("%s %s: encode body: %w", method, rawPath, err)
	}
	u := c.base + urlPath
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	auth := c.auth != "" && !o.noAuth
	r := routeOf(method, urlPath)

	leave, err := c.lim.enter(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, rawPath, err)
	}
	defer leave()

	ratelimited, failures := 0, 0
	for {
		if err := c.lim.admit(auth); err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, rawPath, err)
		}
		if err := c.lim.wait(ctx, r, o.noWait, method, rawPath); err != nil {
			if _, ok := err.(*RateLimitError); ok {
				return nil, err
			}
			return nil, fmt.Errorf("%s %s: %w", method, rawPath, err)
		}
		res, err := c.attempt(ctx, method, u, payload, ctype, auth, o.reason)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%s %s: %w", method, rawPath, ctx.Err())
			}
			if idempotent(method) && failures < c.retries {
				failures++
				d := c.retryDelay(failures)
				c.log.Warn("rest: request failed, retrying", "method", method, "path", rawPath, "err", err, "in", d)
				if err := sleepCtx(ctx, d); err != nil {
					return nil, fmt.Errorf("%s %s: %w", method, rawPath, err)
				}
				continue
			}
			return nil, fmt.Errorf("%s %s: %w", method, rawPath, err)
		}
		h := ParseRateLimitHeaders(res.header, c.now())
		c.lim.update(r, h)
		switch {
		case res.status == http.StatusNoContent:
			return nil, nil
		case res.status >= 200 && res.status < 300:
			if len(bytes.TrimSpace(res.body)) == 0 {
				return nil, nil
			}
			return json.RawMessage(res.body), nil
		}
		apiErr := c.apiError(method, rawPath, res)
		switch {
		case res.status == http.StatusTooManyRequests:
			var b apiErrorBody
			_ = json.Unmarshal(res.body, &b)
			retry := secondsToDuration(b.RetryAfter)
			if b.RetryAfter <= 0 {
				switch {
				case h.RetryAfter >= 0:
					retry = h.RetryAfter
				case h.ResetAfter >= 0:
					retry = h.ResetAfter
				default:
					retry = time.Second
				}
			}
			apiErr.RetryAfter = retry
			global := h.Global || b.Global || h.Scope == "global"
			if h.Scope != "shared" {
				c.lim.countInvalid(false)
			}
			c.lim.limited(r, global, retry)
			c.log.Warn("rest: rate limited", "method", method, "path", rawPath, "retry_after", retry, "global", global, "scope", h.Scope, "bucket", h.Bucket)
			if o.noWait {
				return nil, &RateLimitError{Method: method, Path: rawPath, Bucket: h.Bucket, Global: global, RetryAfter: retry}
			}
			if ratelimited >= max429Retries {
				return nil, apiErr
			}
			ratelimited++
			continue
		case res.status == http.StatusUnauthorized:
			c.lim.countInvalid(auth)
			if auth {
				apiErr.unauth = true
				c.log.Error("rest: the token was rejected (401); no further requests will be sent", "method", method, "path", rawPath)
			}
			return nil, apiErr
		case res.status == http.StatusForbidden:
			c.lim.countInvalid(false)
			return nil, apiErr
		case res.status >= 500 && idempotent(method) && failures < c.retries:
			failures++
			d := c.retryDelay(failures)
			c.log.Warn("rest: server error, retrying", "method", method, "path", rawPath, "status", res.status, "in", d)
			if err := sleepCtx(ctx, d); err != nil {
				return nil, fmt.Errorf("%s %s: %w", method, rawPath, err)
			}
			continue
		}
		return nil, apiErr
	}
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// retryDelay is exponential with jitter in [d/2, d), capped at 10 s.
func (c *Client) retryDelay(n int) time.Duration {
	d := c.backoff << (n - 1)
	if d > 10*time.Second || d <= 0 {
		d = 10 * time.Second
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (c *Client) attempt(ctx context.Context, method, u string, payload []byte, ctype string, auth bool, reason string) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, withoutURL(err)
	}
	req.Header.Set("User-Agent", c.ua)
	if auth {
		req.Header.Set("Authorization", c.auth)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if reason != "" {
		req.Header.Set("X-Audit-Log-Reason", url.PathEscape(reason))
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, scrub(withoutURL(err), c.auth)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", scrub(err, c.auth))
	}
	return &response{status: res.StatusCode, header: res.Header, body: body}, nil
}

// withoutURL drops the URL a *url.Error quotes, since it may hold a webhook
// or interaction token; the caller's error already names the route.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// scrub guards against a transport error quoting the Authorization value.
func scrub(err error, auth string) error {
	if auth == "" || !strings.Contains(err.Error(), auth[strings.IndexByte(auth, ' ')+1:]) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), auth[strings.IndexByte(auth, ' ')+1:], "[redacted]"))
}

func (c *Client) apiError(method, path string, res *response) *Error {
	e := &Error{Status: res.status, Method: method, Path: path}
	var b apiErrorBody
	if json.Unmarshal(res.body, &b) == nil {
		e.Code, e.Message, e.Errors = b.Code, b.Message, b.Errors
	}
	if e.Message == "" {
		e.Message = http.StatusText(res.status)
		if e.Message == "" {
			e.Message = "status " + strconv.Itoa(res.status)
		}
	}
	return e
}
