package emulator

import (
	"net/http"
	"strconv"
)

// routes registers the REST API, unversioned; serveREST strips /api/vN.
// The patterns double as route names in Request.Route, Fault.Route,
// Options.RateLimits and X-RateLimit-Bucket.
func (s *Server) routes() {
	h := map[string]http.HandlerFunc{
		"GET /gateway":     s.getGateway,
		"GET /gateway/bot": s.getGatewayBot,

		"GET /users/@me":               s.getMe,
		"GET /users/{user_id}":         s.getUser,
		"POST /users/@me/channels":     s.createDM,
		"GET /applications/@me":        s.getApplication,
		"GET /oauth2/applications/@me": s.getApplication,

		"GET /channels/{channel_id}":                                                      s.getChannel,
		"POST /channels/{channel_id}/typing":                                              s.typing,
		"GET /channels/{channel_id}/messages":                                             s.listMessages,
		"POST /channels/{channel_id}/messages":                                            s.createMessage,
		"GET /channels/{channel_id}/messages/{message_id}":                                s.getMessage,
		"PATCH /channels/{channel_id}/messages/{message_id}":                              s.editMessage,
		"DELETE /channels/{channel_id}/messages/{message_id}":                             s.deleteMessage,
		"PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me":          s.addReaction,
		"DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/{user_id}": s.removeReaction,

		"GET /guilds/{guild_id}":                                      s.getGuild,
		"GET /guilds/{guild_id}/channels":                             s.getGuildChannels,
		"GET /guilds/{guild_id}/roles":                                s.getRoles,
		"GET /guilds/{guild_id}/members":                              s.listMembers,
		"GET /guilds/{guild_id}/members/{user_id}":                    s.getMember,
		"PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}":    s.addMemberRole,
		"DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}": s.removeMemberRole,

		"GET /applications/{application_id}/commands":                                   s.listCommands,
		"POST /applications/{application_id}/commands":                                  s.createCommand,
		"PUT /applications/{application_id}/commands":                                   s.overwriteCommands,
		"GET /applications/{application_id}/commands/{command_id}":                      s.getCommand,
		"PATCH /applications/{application_id}/commands/{command_id}":                    s.editCommand,
		"DELETE /applications/{application_id}/commands/{command_id}":                   s.deleteCommand,
		"GET /applications/{application_id}/guilds/{guild_id}/commands":                 s.listCommands,
		"POST /applications/{application_id}/guilds/{guild_id}/commands":                s.createCommand,
		"PUT /applications/{application_id}/guilds/{guild_id}/commands":                 s.overwriteCommands,
		"GET /applications/{application_id}/guilds/{guild_id}/commands/{command_id}":    s.getCommand,
		"PATCH /applications/{application_id}/guilds/{guild_id}/commands/{command_id}":  s.editCommand,
		"DELETE /applications/{application_id}/guilds/{guild_id}/commands/{command_id}": s.deleteCommand,

		"POST /interactions/{interaction_id}/{token}/callback":            s.interactionCallback,
		"POST /webhooks/{application_id}/{token}":                         s.createFollowup,
		"GET /webhooks/{application_id}/{token}/messages/{message_id}":    s.getWebhookMessage,
		"PATCH /webhooks/{application_id}/{token}/messages/{message_id}":  s.editWebhookMessage,
		"DELETE /webhooks/{application_id}/{token}/messages/{message_id}": s.deleteWebhookMessage,
	}
	for pattern, fn := range h {
		s.mux.HandleFunc(pattern, fn)
	}
}

func (s *Server) getGateway(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"url": s.GatewayURL()})
}

func (s *Server) getGatewayBot(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	left := s.startLeft
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"url":    s.GatewayURL(),
		"shards": s.opts.Shards,
		"session_start_limit": map[string]any{
			"total": 1000, "remaining": left, "reset_after": 14400000, "max_concurrency": s.opts.MaxConcurrency,
		},
	})
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	u := s.w.bot
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	u := s.w.users[r.PathValue("user_id")]
	var c User
	if u != nil {
		c = *u
	}
	s.mu.Unlock()
	if u == nil {
		writeError(w, http.StatusNotFound, 10013, "Unknown User")
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) getApplication(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"id": s.w.appID, "name": s.w.bot.Username, "description": "", "icon": nil,
		"bot_public": true, "bot_require_code_grant": false, "flags": 0, "bot": s.w.bot,
		"owner": s.w.tester, "verify_key": "0", "team": nil,
	})
}

func (s *Server) createDM(w http.ResponseWriter, r *http.Request) {
	var b struct {
		RecipientID string `json:"recipient_id"`
	}
	if !bodyOK(w, r, &b) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.w.users[b.RecipientID]
	if u == nil {
		writeFormError(w, fieldErrors("recipient_id", "NUMBER_TYPE_COERCE", "Value \""+b.RecipientID+"\" is not snowflake."))
		return
	}
	for _, c := range s.w.channels {
		if c.Type == 1 && len(c.Recipients) == 1 && c.Recipients[0].ID == u.ID {
			writeJSON(w, http.StatusOK, *c)
			return
		}
	}
	c := &Channel{ID: s.w.newID(), Type: 1, Recipients: []User{*u}}
	s.w.channels[c.ID] = c
	writeJSON(w, http.StatusOK, *c)
}

// queryInt reads an integer query parameter with a default and bounds.
func queryInt(r *http.Request, key string, def, lo, hi int) int {
	v, err := strconv.Atoi(r.URL.Query().Get(key))
	if err != nil {
		return def
	}
	return min(max(v, lo), hi)
}
