package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The control API lets programs outside the process drive a standalone
// emulator (`botrun emulator`): inject what a user does and watch what
// the bot does, with curl or from another language's test suite. It lives
// under /_emulator/, a prefix Discord never uses, and needs no token:
// the emulator listens on loopback for local testing only.
const controlPrefix = "/_emulator/"

// controlMessage is the body of POST /_emulator/messages.
type controlMessage struct {
	ChannelID string `json:"channel_id"`
	Channel   string `json:"channel"` // a channel name of the first guild, or "dm"
	Content   string `json:"content"`
	From      string `json:"from"`     // user id; default the tester
	ReplyTo   string `json:"reply_to"` // message id
}

// controlInteraction is the body of POST /_emulator/interactions.
type controlInteraction struct {
	Kind        string `json:"kind"` // command (default), component, modal, autocomplete
	ChannelID   string `json:"channel_id"`
	Channel     string `json:"channel"`
	UserID      string `json:"user_id"`
	Name        string `json:"name"`
	CommandType int    `json:"command_type"`
	TargetID    string `json:"target_id"`
	Group       string `json:"group"`
	Subcommand  string `json:"subcommand"`
	Options     []struct {
		Name    string `json:"name"`
		Value   any    `json:"value"`
		Focused bool   `json:"focused"`
		Type    int    `json:"type"`
	} `json:"options"`
	MessageID     string   `json:"message_id"`
	CustomID      string   `json:"custom_id"`
	ComponentType int      `json:"component_type"`
	Values        []string `json:"values"`
	Fields        []struct {
		CustomID string `json:"custom_id"`
		Value    string `json:"value"`
	} `json:"fields"`
	// Wait, when not false, waits up to the 3 s ack deadline for the
	// bot's response and returns it.
	Wait *bool `json:"wait"`
}

var controlKinds = map[string]InteractionKind{"": KindCommand, "command": KindCommand,
	"component": KindComponent, "modal": KindModal, "autocomplete": KindAutocomplete}

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	switch r.Method + " " + strings.TrimPrefix(r.URL.Path, controlPrefix) {
	case "GET info":
		s.controlInfo(w)
	case "POST messages":
		s.controlInjectMessage(w, r)
	case "POST interactions":
		s.controlInjectInteraction(w, r)
	case "POST members":
		var b struct {
			Username string `json:"username"`
		}
		if !bodyOK(w, r, &b) {
			return
		}
		m, err := s.AddMember(b.Username)
		if err != nil {
			writeError(w, http.StatusBadRequest, 0, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, m)
	case "GET outputs":
		s.controlOutputs(w, r)
	case "GET requests":
		writeJSON(w, http.StatusOK, s.Requests())
	case "POST faults":
		s.controlFault(w, r)
	default:
		writeError(w, http.StatusNotFound, 0, "404: Not Found (control routes: GET info, POST messages, POST interactions, POST members, GET outputs, GET requests, POST faults)")
	}
}

func (s *Server) controlInfo(w http.ResponseWriter) {
	channels := map[string]string{}
	s.mu.Lock()
	for _, id := range s.w.guilds[0].channels {
		channels[s.w.channels[id].Name] = id
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"api_base": s.APIBase(), "gateway_url": s.GatewayURL(), "token": s.Token(),
		"application_id": s.ApplicationID(), "guild_id": s.GuildID(), "guild_ids": s.GuildIDs(),
		"channels": channels, "dm_channel_id": s.DMChannelID(),
		"bot": s.BotUser(), "tester": s.TestUser(), "sessions": s.Sessions(),
	})
}

// channelArg resolves a channel given by id or by name.
func (s *Server) channelArg(id, name string) string {
	switch {
	case id != "":
		return id
	case strings.EqualFold(name, "dm"):
		return s.DMChannelID()
	case name != "":
		return s.ChannelID(strings.TrimPrefix(name, "#"))
	}
	return s.ChannelID("general")
}

func (s *Server) controlInjectMessage(w http.ResponseWriter, r *http.Request) {
	var b controlMessage
	if !bodyOK(w, r, &b) {
		return
	}
	var opts []MessageOption
	if b.From != "" {
		opts = append(opts, From(b.From))
	}
	if b.ReplyTo != "" {
		opts = append(opts, ReplyTo(b.ReplyTo))
	}
	m, err := s.InjectMessage(s.channelArg(b.ChannelID, b.Channel), b.Content, opts...)
	if err != nil {
		writeError(w, http.StatusBadRequest, 0, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) controlInjectInteraction(w http.ResponseWriter, r *http.Request) {
	var b controlInteraction
	if !bodyOK(w, r, &b) {
		return
	}
	kind, ok := controlKinds[b.Kind]
	if !ok {
		writeError(w, http.StatusBadRequest, 0, fmt.Sprintf("unknown kind %q: use command, component, modal or autocomplete", b.Kind))
		return
	}
	spec := InteractionSpec{Kind: kind, UserID: b.UserID, Name: b.Name, CommandType: b.CommandType,
		TargetID: b.TargetID, Group: b.Group, Subcommand: b.Subcommand, MessageID: b.MessageID,
		CustomID: b.CustomID, ComponentType: b.ComponentType, Values: b.Values}
	if b.ChannelID != "" || b.Channel != "" {
		spec.ChannelID = s.channelArg(b.ChannelID, b.Channel)
	}
	for _, o := range b.Options {
		v := o.Value
		if f, ok := v.(float64); ok && f == float64(int64(f)) && o.Type != 10 {
			v = int64(f) // JSON numbers arrive as float64; whole ones are integers
		}
		spec.Options = append(spec.Options, Option{Name: o.Name, Value: v, Focused: o.Focused, Type: o.Type})
	}
	for _, f := range b.Fields {
		spec.Fields = append(spec.Fields, Field{CustomID: f.CustomID, Value: f.Value})
	}
	p, err := s.InjectInteraction(spec)
	if err != nil {
		writeError(w, http.StatusBadRequest, 0, err.Error())
		return
	}
	out := map[string]any{"id": p.ID, "token": p.Token, "response": nil}
	if b.Wait == nil || *b.Wait {
		ctx, cancel := context.WithTimeout(r.Context(), interactionAckDeadline)
		defer cancel()
		if resp, err := p.Wait(ctx); err == nil {
			out["response"] = resp
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// controlOutputs streams Outputs as newline-delimited JSON until the
// client goes away, the server closes, or ?timeout= (a Go duration)
// passes.
func (s *Server) controlOutputs(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if t := r.URL.Query().Get("timeout"); t != "" {
		d, err := time.ParseDuration(t)
		if err != nil {
			writeError(w, http.StatusBadRequest, 0, "timeout: "+err.Error())
			return
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	out, stop := s.Subscribe()
	defer stop()
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	enc := json.NewEncoder(w)
	for {
		select {
		case o, ok := <-out:
			if !ok {
				return
			}
			if err := enc.Encode(o); err != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
		case <-ctx.Done():
			return
		case <-s.ctx.Done():
			return
		}
	}
}

// controlFault is the body of POST /_emulator/faults: one fault method of
// Server by name.
type controlFault struct {
	// Fault is drop, acks, reconnect, heartbeat, invalid_session, close,
	// invalidate, rest, delay or rate_limit.
	Fault     string `json:"fault"`
	Shard     *int   `json:"shard"` // default all shards
	On        bool   `json:"on"`    // acks
	Resumable bool   `json:"resumable"`
	Code      int    `json:"code"` // close
	Reason    string `json:"reason"`
	// rest: the next Count requests matching Method and Route answer Status.
	Method     string  `json:"method"`
	Route      string  `json:"route"`
	Count      int     `json:"count"`
	Status     int     `json:"status"`
	RetryAfter float64 `json:"retry_after"` // seconds
	Global     bool    `json:"global"`
	Body       string  `json:"body"`
	// delay (every REST answer) and rate_limit (Limit per Window on Route).
	DelayMS  int `json:"delay_ms"`
	Limit    int `json:"limit"`
	WindowMS int `json:"window_ms"`
}

func (s *Server) controlFault(w http.ResponseWriter, r *http.Request) {
	var f controlFault
	if !bodyOK(w, r, &f) {
		return
	}
	shard := AllShards
	if f.Shard != nil {
		shard = *f.Shard
	}
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	switch f.Fault {
	case "drop":
		s.DropConnections(shard)
	case "acks":
		s.SetHeartbeatAcks(shard, f.On)
	case "reconnect":
		s.SendReconnect(shard)
	case "heartbeat":
		s.RequestHeartbeat(shard)
	case "invalid_session":
		s.SendInvalidSession(shard, f.Resumable)
	case "close":
		if f.Code < 1000 || f.Code > 4999 {
			writeError(w, http.StatusBadRequest, 0, "close: code must be 1000-4999")
			return
		}
		s.CloseConnections(shard, f.Code, f.Reason)
	case "invalidate":
		s.InvalidateSessions(shard)
	case "rest":
		if f.Status < 400 || f.Status > 599 {
			writeError(w, http.StatusBadRequest, 0, "rest: status must be 400-599")
			return
		}
		s.FailNext(Fault{Method: f.Method, Route: f.Route, Count: f.Count, Status: f.Status,
			RetryAfter: time.Duration(f.RetryAfter * float64(time.Second)), Global: f.Global, Body: f.Body})
	case "delay":
		s.SetDelay(ms(f.DelayMS))
	case "rate_limit":
		if f.Route == "" {
			writeError(w, http.StatusBadRequest, 0, "rate_limit: route is required")
			return
		}
		s.SetRateLimit(f.Route, f.Limit, ms(f.WindowMS))
	default:
		writeError(w, http.StatusBadRequest, 0, fmt.Sprintf("unknown fault %q: use drop, acks, reconnect, heartbeat, invalid_session, close, invalidate, rest, delay or rate_limit", f.Fault))
		return
	}
	writeNoContent(w)
}
