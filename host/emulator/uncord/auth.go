package uncord

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

type refreshToken struct {
	userID  string
	expires time.Time
	used    bool
}

type claims struct {
	Iss           string `json:"iss"`
	Sub           string `json:"sub"`
	EmailVerified bool   `json:"email_verified"`
	Iat           int64  `json:"iat"`
	Exp           int64  `json:"exp"`
}

var b64 = base64.RawURLEncoding

// issueLocked mints an access token and a refresh token for user.
func (s *Server) issueLocked(userID string) (access, refresh string) {
	now := s.opts.Now()
	head := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	body, _ := json.Marshal(claims{Iss: "http://uncord.local", Sub: userID, EmailVerified: true,
		Iat: now.Unix(), Exp: now.Add(s.opts.AccessTTL).Unix()})
	signing := head + "." + b64.EncodeToString(body)
	access = signing + "." + b64.EncodeToString(s.sign(signing))
	s.gen++
	s.issued[access] = s.gen
	refresh = newUUID()
	s.refresh[refresh] = &refreshToken{userID: userID, expires: now.Add(s.opts.RefreshTTL)}
	return access, refresh
}

func (s *Server) sign(v string) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(v))
	return m.Sum(nil)
}

var (
	errTokenInvalid = errors.New("invalid token")
	errTokenExpired = errors.New("token expired")
)

// userForTokenLocked checks an access token and returns its user id.
func (s *Server) userForTokenLocked(tok string) (string, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", errTokenInvalid
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, s.sign(parts[0]+"."+parts[1])) {
		return "", errTokenInvalid
	}
	raw, err := b64.DecodeString(parts[1])
	var c claims
	if err != nil || json.Unmarshal(raw, &c) != nil {
		return "", errTokenInvalid
	}
	now := s.opts.Now()
	if gen, ok := s.issued[tok]; !ok || gen <= s.minGen || now.Unix() >= c.Exp {
		return "", errTokenExpired
	}
	if s.accounts[c.Sub] == nil || s.disabled[c.Sub] {
		return "", errTokenInvalid
	}
	return c.Sub, nil
}

// authUser is the Bearer check of the REST middleware.
func (s *Server) authUser(r *http.Request) (string, *apiError) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return "", errorf(401, "UNAUTHORIZED", "missing or invalid authorization header")
	}
	s.mu.Lock()
	uid, err := s.userForTokenLocked(strings.TrimSpace(h[7:]))
	s.mu.Unlock()
	switch {
	case errors.Is(err, errTokenExpired):
		return "", errorf(401, "TOKEN_EXPIRED", "access token has expired")
	case err != nil:
		return "", errorf(401, "INVALID_TOKEN", "invalid access token")
	}
	return uid, nil
}

func (s *Server) authLimit(r *http.Request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, reset, ok := s.takeLocked("auth:"+clientIP(r), s.opts.AuthLimit); !ok {
		return rateLimited(reset)
	}
	return nil
}

func (s *Server) fullUserLocked(a *account) map[string]any {
	return map[string]any{"id": a.user.ID, "email": a.email, "username": a.user.Username,
		"display_name": a.user.DisplayName, "avatar_key": nil, "pronouns": nil, "banner_key": nil, "about": nil,
		"theme_colour_primary": nil, "theme_colour_secondary": nil, "mfa_enabled": false, "email_verified": true}
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if e := s.authLimit(r); e != nil {
		writeError(w, e)
		return
	}
	var body struct{ Email, Password string }
	if e := decodeBody(r, &body); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.accounts {
		if strings.EqualFold(a.email, body.Email) && a.password == body.Password {
			s.logins++
			access, refresh := s.issueLocked(a.user.ID)
			writeData(w, 200, map[string]any{"user": s.fullUserLocked(a), "access_token": access, "refresh_token": refresh})
			return
		}
	}
	writeError(w, errorf(401, "INVALID_CREDENTIALS", "invalid email or password"))
}

func (s *Server) refreshHandler(w http.ResponseWriter, r *http.Request) {
	if e := s.authLimit(r); e != nil {
		writeError(w, e)
		return
	}
	var body struct {
		RefreshToken string `json:"refresh_token"`
	}
	if e := decodeBody(r, &body); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.refresh[body.RefreshToken]
	switch {
	case rt == nil:
		writeError(w, errorf(401, "INVALID_TOKEN", "invalid refresh token"))
	case rt.used:
		s.reuses++
		writeError(w, errorf(401, "TOKEN_REUSED", "refresh token has already been used"))
	case !s.opts.Now().Before(rt.expires):
		writeError(w, errorf(401, "TOKEN_EXPIRED", "refresh token has expired"))
	default:
		rt.used = true
		s.refreshes++
		access, refresh := s.issueLocked(rt.userID)
		writeData(w, 200, map[string]any{"access_token": access, "refresh_token": refresh})
	}
}

// IssueRefreshToken returns a fresh refresh token for the bot account, as
// if a user had logged in elsewhere and copied it (UNCORD_REFRESH_TOKEN).
func (s *Server) IssueRefreshToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, refresh := s.issueLocked(s.bot.user.ID)
	return refresh
}

// IssueAccessToken returns a valid access token for the bot account.
func (s *Server) IssueAccessToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	access, _ := s.issueLocked(s.bot.user.ID)
	return access
}

// ExpireTokens makes every access token issued so far expired, as if 15
// minutes had passed; refresh tokens stay valid.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	s.minGen = s.gen
	s.mu.Unlock()
}

// AuthStats reports successful logins and refreshes, and refresh-token
// reuses (answered 401 TOKEN_REUSED).
func (s *Server) AuthStats() (logins, refreshes, reuses int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins, s.refreshes, s.reuses
}

// Credentials are the bot account's email and password.
func (s *Server) Credentials() (email, password string) { return s.bot.email, s.bot.password }

// DisableUser makes the server reject every access token of the user (401
// INVALID_TOKEN over REST, 4004 on the gateway), as for a banned or
// deleted account. Logins and refreshes still succeed, so clients see a
// token that works nowhere.
func (s *Server) DisableUser(userID string) {
	s.mu.Lock()
	s.disabled[userID] = true
	s.mu.Unlock()
}
