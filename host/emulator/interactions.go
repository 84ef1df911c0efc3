package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Interaction deadlines Discord enforces.
const (
	interactionAckDeadline = 3 * time.Second
	interactionTokenTTL    = 15 * time.Minute
)

// Interaction types.
const (
	itPing         = 1
	itCommand      = 2
	itComponent    = 3
	itAutocomplete = 4
	itModalSubmit  = 5
)

// interaction is one INTERACTION_CREATE and what the bot did with it.
// Server.mu guards it.
type interaction struct {
	id, token string
	typ       int
	channelID string
	guildID   string
	user      User
	message   *Message // the message a component belongs to
	created   time.Time
	responded bool
	original  *Message // the response message, once there is one
	followups map[string]*Message
	pending   *Pending
}

// Response is the bot's initial answer to an injected interaction.
type Response struct {
	Type      int             `json:"type"`           // callback type: 4 message, 5 deferred, 6, 7, 8 choices, 9 modal
	Data      json.RawMessage `json:"data,omitempty"` // the callback's data as sent
	Content   string          `json:"content,omitempty"`
	Ephemeral bool            `json:"ephemeral,omitempty"`
}

// Pending is an injected interaction awaiting the bot's response.
type Pending struct {
	ID    string
	Token string
	Raw   json.RawMessage // the INTERACTION_CREATE data

	once sync.Once
	done chan struct{}
	mu   sync.Mutex // guards resp
	resp Response
}

func newPending(id, token string, raw json.RawMessage) *Pending {
	return &Pending{ID: id, Token: token, Raw: raw, done: make(chan struct{})}
}

func (p *Pending) resolve(r Response) {
	p.once.Do(func() {
		p.mu.Lock()
		p.resp = r
		p.mu.Unlock()
		close(p.done)
	})
}

// Wait blocks until the bot responds or ctx ends.
func (p *Pending) Wait(ctx context.Context) (Response, error) {
	select {
	case <-p.done:
		r, _ := p.Response()
		return r, nil
	case <-ctx.Done():
		return Response{}, ctx.Err()
	}
}

// Response returns the bot's response if it has answered.
func (p *Pending) Response() (Response, bool) {
	select {
	case <-p.done:
	default:
		return Response{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.resp, true
}

var (
	errUnknownInteraction = &apiError{status: 404, code: 10062, message: "Unknown interaction"}
	errAlreadyAcked       = &apiError{status: 400, code: 40060, message: "Interaction has already been acknowledged."}
	errUnknownWebhook     = &apiError{status: 404, code: 10015, message: "Unknown Webhook"}
	errInvalidToken       = &apiError{status: 401, code: 50027, message: "Invalid Webhook Token"}
)

// allowedCallbacks lists the callback types valid for each interaction type.
var allowedCallbacks = map[int][]int{
	itPing:         {1},
	itCommand:      {4, 5, 9},
	itComponent:    {4, 5, 6, 7, 9},
	itAutocomplete: {8},
	itModalSubmit:  {4, 5, 6, 7},
}

type callbackBody struct {
	Type *int            `json:"type"`
	Data json.RawMessage `json:"data"`
}

func (s *Server) interactionCallback(w http.ResponseWriter, r *http.Request) {
	var b callbackBody
	if !bodyOK(w, r, &b) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ix := s.w.interactions[r.PathValue("interaction_id")]
	if ix == nil || ix.token != r.PathValue("token") {
		errUnknownInteraction.write(w)
		return
	}
	if ix.responded {
		errAlreadyAcked.write(w)
		return
	}
	if s.now().Sub(ix.created) > interactionAckDeadline {
		errUnknownInteraction.write(w)
		return
	}
	if b.Type == nil {
		formError(fieldErrors("type", "BASE_TYPE_REQUIRED", "This field is required")).write(w)
		return
	}
	typ := *b.Type
	ok := false
	for _, t := range allowedCallbacks[ix.typ] {
		ok = ok || t == typ
	}
	if !ok {
		formError(fieldErrors("type", "INTERACTION_RESPONSE_TYPE_INVALID", "Interaction response type is invalid for this interaction")).write(w)
		return
	}
	var msgBody messageBody
	if len(b.Data) > 0 && string(b.Data) != "null" {
		if err := json.Unmarshal(b.Data, &msgBody); err != nil && (typ == 4 || typ == 7) {
			formError(fieldErrors("data", "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")).write(w)
			return
		}
	}
	out := Output{Kind: OutInteractionResponse, InteractionID: ix.id, ResponseType: typ, ChannelID: ix.channelID, Data: b.Data}
	switch typ {
	case 4:
		if e := msgBody.validate(true); e != nil {
			e.write(w)
			return
		}
		m := s.interactionMessageLocked(ix, &msgBody)
		ix.original = m
		out.Content, out.Ephemeral, out.MessageID = m.Content, m.Flags&flagEphemeral != 0, m.ID
		if len(m.Embeds) > 0 {
			out.Embeds = mustJSON(m.Embeds)
		}
		if len(m.Components) > 0 {
			out.Components = mustJSON(m.Components)
		}
	case 5:
		flags := flagLoading
		if msgBody.Flags != nil {
			flags |= *msgBody.Flags & flagEphemeral
		}
		msgBody = messageBody{Flags: &flags}
		m := s.interactionMessageLocked(ix, &msgBody)
		ix.original = m
		out.Ephemeral, out.MessageID = m.Flags&flagEphemeral != 0, m.ID
	case 6:
		ix.original = ix.message
	case 7:
		if e := msgBody.validate(false); e != nil {
			e.write(w)
			return
		}
		if ix.message != nil {
			s.applyEditLocked(ix.message, &msgBody)
			if ix.message.Flags&flagEphemeral == 0 {
				s.dispatchMessageLocked("MESSAGE_UPDATE", ix.message)
			}
			out.Content, out.MessageID = ix.message.Content, ix.message.ID
		}
		ix.original = ix.message
	case 9:
		var modal struct {
			CustomID   string            `json:"custom_id"`
			Title      string            `json:"title"`
			Components []json.RawMessage `json:"components"`
		}
		_ = json.Unmarshal(b.Data, &modal)
		switch {
		case modal.CustomID == "" || len(modal.CustomID) > 100:
			formError(fieldErrors("data.custom_id", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")).write(w)
			return
		case modal.Title == "" || len([]rune(modal.Title)) > 45:
			formError(fieldErrors("data.title", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length.")).write(w)
			return
		case len(modal.Components) < 1 || len(modal.Components) > 5:
			formError(fieldErrors("data.components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")).write(w)
			return
		}
		out.Content = modal.Title
	}
	ix.responded = true
	resp := Response{Type: typ, Data: b.Data, Content: out.Content, Ephemeral: out.Ephemeral}
	if ix.pending != nil {
		ix.pending.resolve(resp)
	}
	s.emitLocked(out)
	if r.URL.Query().Get("with_response") != "true" {
		writeNoContent(w)
		return
	}
	cb := map[string]any{"id": ix.id, "type": ix.typ, "activity_instance_id": nil,
		"response_message_id": nil, "response_message_loading": false, "response_message_ephemeral": false}
	res := map[string]any{"type": typ}
	if ix.original != nil && (typ == 4 || typ == 5 || typ == 7) {
		cb["response_message_id"] = ix.original.ID
		cb["response_message_loading"] = typ == 5
		cb["response_message_ephemeral"] = ix.original.Flags&flagEphemeral != 0
		res["message"] = *ix.original
	}
	writeJSON(w, http.StatusOK, map[string]any{"interaction": cb, "resource": res})
}

// interactionMessageLocked creates a message sent on behalf of an
// interaction. Ephemeral ones are kept only with the interaction.
func (s *Server) interactionMessageLocked(ix *interaction, b *messageBody) *Message {
	b.MessageReference = nil
	m, _ := s.newMessageLocked(s.w.channels[ix.channelID], s.w.bot, b)
	m.WebhookID, m.ApplicationID = s.w.appID, s.w.appID
	if ix.typ == itCommand {
		m.Type = 20
	}
	m.Interaction = mustJSON(map[string]any{"id": ix.id, "type": ix.typ, "user": ix.user,
		"authorizing_integration_owners": map[string]any{"0": ix.guildID}})
	if m.Flags&flagEphemeral == 0 {
		s.storeMessageLocked(m)
		s.dispatchMessageLocked("MESSAGE_CREATE", m)
	} else {
		s.w.rememberEphemeral(m)
	}
	return m
}

// webhookInteractionLocked finds the interaction behind a webhook token.
func (s *Server) webhookInteractionLocked(r *http.Request) (*interaction, *apiError) {
	if r.PathValue("application_id") != s.w.appID {
		return nil, errUnknownWebhook
	}
	tok := r.PathValue("token")
	for _, ix := range s.w.interactions {
		if ix.token == tok {
			if s.now().Sub(ix.created) > interactionTokenTTL {
				return nil, errInvalidToken
			}
			if !ix.responded {
				return nil, errUnknownWebhook
			}
			return ix, nil
		}
	}
	return nil, errUnknownWebhook
}

func (s *Server) createFollowup(w http.ResponseWriter, r *http.Request) {
	b, ok := messageBodyOK(w, r, true)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, e := s.webhookInteractionLocked(r)
	if e != nil {
		e.write(w)
		return
	}
	var m *Message
	if ix.original != nil && ix.original.Flags&flagLoading != 0 {
		// The first followup after a deferral completes the original.
		m = ix.original
		m.Flags &^= flagLoading
		s.applyEditLocked(m, b)
		m.EditedTimestamp = nil
		if m.Flags&flagEphemeral == 0 {
			s.dispatchMessageLocked("MESSAGE_UPDATE", m)
		}
	} else {
		m = s.interactionMessageLocked(ix, b)
		if ix.followups == nil {
			ix.followups = map[string]*Message{}
		}
		ix.followups[m.ID] = m
	}
	out := s.messageOutputLocked(OutFollowup, m, rawBody(r))
	out.InteractionID = ix.id
	s.emitLocked(out)
	if r.URL.Query().Get("wait") == "true" {
		writeJSON(w, http.StatusOK, *m)
		return
	}
	writeNoContent(w)
}

// webhookMessageLocked resolves "@original" or a followup id.
func (s *Server) webhookMessageLocked(r *http.Request) (*interaction, *Message, *apiError) {
	ix, e := s.webhookInteractionLocked(r)
	if e != nil {
		return nil, nil, e
	}
	id := r.PathValue("message_id")
	if id == "@original" {
		if ix.original == nil {
			return nil, nil, errUnknownMessage
		}
		return ix, ix.original, nil
	}
	if m := ix.followups[id]; m != nil {
		return ix, m, nil
	}
	return nil, nil, errUnknownMessage
}

func (s *Server) getWebhookMessage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, m, e := s.webhookMessageLocked(r)
	if e != nil {
		e.write(w)
		return
	}
	writeJSON(w, http.StatusOK, *m)
}

func (s *Server) editWebhookMessage(w http.ResponseWriter, r *http.Request) {
	b, ok := messageBodyOK(w, r, false)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, m, e := s.webhookMessageLocked(r)
	if e != nil {
		e.write(w)
		return
	}
	m.Flags &^= flagLoading
	s.applyEditLocked(m, b)
	if m.Flags&flagEphemeral == 0 {
		s.dispatchMessageLocked("MESSAGE_UPDATE", m)
	}
	kind := OutEdit
	if m == ix.original {
		kind = OutOriginalEdit
	}
	out := s.messageOutputLocked(kind, m, rawBody(r))
	out.InteractionID = ix.id
	s.emitLocked(out)
	writeJSON(w, http.StatusOK, *m)
}

func (s *Server) deleteWebhookMessage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, m, e := s.webhookMessageLocked(r)
	if e != nil {
		e.write(w)
		return
	}
	kind := OutDelete
	if m == ix.original {
		kind = OutOriginalDelete
		ix.original = nil
	} else {
		delete(ix.followups, m.ID)
	}
	if m.Flags&flagEphemeral == 0 && s.w.msgByID[m.ID] != nil {
		s.removeMessageLocked(m)
	}
	s.emitLocked(Output{Kind: kind, ChannelID: m.ChannelID, MessageID: m.ID, Content: m.Content, InteractionID: ix.id})
	writeNoContent(w)
}
