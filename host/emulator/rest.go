package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// Request is one REST call the emulator received.
type Request struct {
	Method string          `json:"method"`
	Path   string          `json:"path"` // as sent, with the /api/vN prefix, without the query
	Query  string          `json:"query,omitempty"`
	Route  string          `json:"route"` // the matched route, e.g. "POST /channels/{channel_id}/messages"; "" if none
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body,omitempty"` // the request body when it was JSON
}

// maxRequestLog bounds the request log; the oldest calls are forgotten.
const maxRequestLog = 10000

// maxBody is the largest request body the emulator reads (a variable so
// a test can lower it).
var maxBody int64 = 8 << 20

// Requests returns a copy of the REST calls received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// CountRequests counts calls by method ("" any) and route pattern (as in
// Request.Route) or literal unversioned path ("/channels/1/messages").
func (s *Server) CountRequests(method, route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if (method == "" || r.Method == method) && (route == "" || r.Route == route || unversioned(r.Path) == route) {
			n++
		}
	}
	return n
}

// apiPrefix splits "/api/v10/channels/1" into "/api/v10" and the rest.
func apiPrefix(path string) (prefix string, ok bool) {
	for _, p := range []string{"/api/v10", "/api/v9"} {
		if path == p || strings.HasPrefix(path, p+"/") {
			return p, true
		}
	}
	if strings.HasPrefix(path, "/api/v") {
		return "", false
	}
	// Unversioned paths are served as v10 rather than Discord's v6.
	return "/api", true
}

func unversioned(path string) string {
	if p, ok := apiPrefix(path); ok {
		return strings.TrimPrefix(path, p)
	}
	return path
}

// statusWriter remembers the status for the request log.
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

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (s *Server) serveREST(rw http.ResponseWriter, r *http.Request) {
	s.inflight.Add(1)
	defer s.inflight.Add(-1)
	w := &statusWriter{ResponseWriter: rw}
	prefix, ok := apiPrefix(r.URL.Path)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
		writeError(w, http.StatusRequestEntityTooLarge, 40005, "Request entity too large")
		return
	}
	r2 := r.Clone(context.WithValue(r.Context(), bodyKey{}, body))
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.URL.Path = strings.TrimPrefix(r.URL.Path, prefix)
	if r.URL.RawPath != "" {
		r2.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, prefix)
	}
	route := ""
	if ok {
		_, route = s.mux.Handler(r2)
	}
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Route: route}
	if json.Valid(body) {
		rec.Body = body
	}
	defer func() {
		rec.Status = w.status
		s.mu.Lock()
		s.requests = append(s.requests, rec)
		if len(s.requests) > maxRequestLog {
			s.requests = s.requests[len(s.requests)-maxRequestLog:]
		}
		s.mu.Unlock()
	}()

	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.ctx.Done():
			t.Stop()
			return
		}
	}
	if f := s.takeFault(r.Method, route, r2.URL.Path); f != nil {
		s.writeFault(w, f, route)
		return
	}
	if route == "" {
		if ok && s.otherMethodMatches(r2) {
			writeError(w, http.StatusMethodNotAllowed, 0, "405: Method Not Allowed")
			return
		}
		writeError(w, http.StatusNotFound, 0, "404: Not Found")
		return
	}
	exempt := isWebhookRoute(route)
	if !exempt && !isPublicRoute(route) && !s.checkAuth(r.Header.Get("Authorization")) {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	if !s.rateLimit(w, route, r2.URL.Path, exempt) {
		return
	}
	if ct := r.Header.Get("Content-Type"); len(body) > 0 && ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		if mt != "application/json" && mt != "multipart/form-data" && mt != "application/x-www-form-urlencoded" {
			writeFormError(w, map[string]any{"_errors": []any{fieldError("CONTENT_TYPE_INVALID", "Expected \"Content-Type\" header to be one of {'application/json', 'multipart/form-data', 'application/x-www-form-urlencoded'}.")}})
			return
		}
	}
	s.mux.ServeHTTP(w, r2)
}

// otherMethodMatches reports whether the path is a known route for some
// other method, which Discord answers with 405 rather than 404.
func (s *Server) otherMethodMatches(r *http.Request) bool {
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" {
			return true
		}
	}
	return false
}

// isWebhookRoute reports routes authorised by the token in the path:
// they accept but do not require an Authorization header, and are exempt
// from the global limit.
func isWebhookRoute(route string) bool {
	_, path, _ := strings.Cut(route, " ")
	return strings.HasPrefix(path, "/interactions/") || strings.HasPrefix(path, "/webhooks/")
}

func isPublicRoute(route string) bool { return route == "GET /gateway" }

func (s *Server) checkAuth(h string) bool {
	tok, ok := strings.CutPrefix(h, "Bot ")
	return ok && s.checkToken(tok)
}

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, 0, "500: Internal Server Error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeNoContent answers 204 without a Content-Type: a JSON content type
// with an empty body breaks discord.js.
func writeNoContent(w http.ResponseWriter) {
	w.Header().Del("Content-Type")
	w.WriteHeader(http.StatusNoContent)
}

// writeError answers with Discord's error shape {"message", "code"}.
func writeError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{"message": message, "code": code})
}

// writeFormError answers 400 with code 50035 and the nested errors object.
func writeFormError(w http.ResponseWriter, errs map[string]any) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid Form Body", "code": 50035, "errors": errs})
}

func fieldError(code, message string) map[string]any {
	return map[string]any{"code": code, "message": message}
}

// fieldErrors builds {"field": {"_errors": [...]}} for one field path
// such as "content" or "0.name".
func fieldErrors(path, code, message string) map[string]any {
	leaf := map[string]any{"_errors": []any{fieldError(code, message)}}
	parts := strings.Split(path, ".")
	for i := len(parts) - 1; i > 0; i-- {
		leaf = map[string]any{parts[i]: leaf}
	}
	return map[string]any{parts[0]: leaf}
}

// errInvalidJSON is the answer to an undecodable body.
var errInvalidJSON = errors.New("The request body contains invalid JSON.")

// decodeBody parses a JSON (or multipart payload_json) body into v.
func decodeBody(r *http.Request, v any) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		if err := r.ParseMultipartForm(maxBody); err != nil {
			return errInvalidJSON
		}
		pj := r.FormValue("payload_json")
		if pj == "" {
			pj = "{}"
		}
		if err := json.Unmarshal([]byte(pj), v); err != nil {
			return errInvalidJSON
		}
		return nil
	}
	b, _ := io.ReadAll(r.Body)
	if len(bytes.TrimSpace(b)) == 0 {
		b = []byte("{}")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errInvalidJSON
	}
	return nil
}

// bodyOK decodes the body or answers 50109 and returns false.
func bodyOK(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := decodeBody(r, v); err != nil {
		writeError(w, http.StatusBadRequest, 50109, errInvalidJSON.Error())
		return false
	}
	return true
}

// SetDelay delays every REST response by d (0 turns it off).
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

func fmtSeconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
