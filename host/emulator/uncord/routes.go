package uncord

import (
	"net/http"
	"strings"
)

type authedHandler func(w http.ResponseWriter, r *http.Request, uid string)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	authed := func(h authedHandler) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			uid, e := s.authUser(r)
			if e != nil {
				writeError(w, e)
				return
			}
			h(w, r, uid)
		}
	}
	const v1 = "/api/v1"
	mux.HandleFunc("GET "+v1+"/gateway", s.serveGateway)
	mux.HandleFunc("POST "+v1+"/auth/login", s.login)
	mux.HandleFunc("POST "+v1+"/auth/refresh", s.refreshHandler)
	mux.HandleFunc("GET "+v1+"/users/@me", authed(s.getMe))
	mux.HandleFunc("GET "+v1+"/server", authed(s.getServer))
	mux.HandleFunc("GET "+v1+"/server/channels", authed(s.getChannels))
	mux.HandleFunc("GET "+v1+"/server/members", authed(s.getMembers))
	mux.HandleFunc("GET "+v1+"/channels/{cid}/messages", authed(s.listMessages))
	mux.HandleFunc("POST "+v1+"/channels/{cid}/messages", authed(s.createMessage))
	mux.HandleFunc("PATCH "+v1+"/messages/{mid}", authed(s.editMessage))
	mux.HandleFunc("DELETE "+v1+"/messages/{mid}", authed(s.deleteMessage))
	mux.HandleFunc("PUT "+v1+"/channels/{cid}/messages/{mid}/reactions/{emoji}", authed(s.addReaction))
	mux.HandleFunc("DELETE "+v1+"/channels/{cid}/messages/{mid}/reactions/{emoji}", authed(s.removeReaction))
	mux.HandleFunc("POST "+v1+"/channels/{cid}/typing", authed(s.typing))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errorf(404, "NOT_FOUND", "no route for %s %s", r.Method, r.URL.Path))
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		if s.globalLimit(sw, r) {
			mux.ServeHTTP(sw, r)
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Status: sw.status})
		s.mu.Unlock()
	})
}

// rawEmoji is the {emoji} path segment exactly as the client sent it: the
// real server does not decode it, so "%F0%9F%91%8D" and "%f0%9f%91%8d" are
// different reactions.
func rawEmoji(r *http.Request) string {
	p := r.RequestURI
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	return p[strings.LastIndexByte(p, '/')+1:]
}
