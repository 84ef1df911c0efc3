package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"
)

// apiError is a Discord error answer.
type apiError struct {
	status  int
	code    int
	message string
	errors  map[string]any
}

func (e *apiError) write(w http.ResponseWriter) {
	if e.errors != nil {
		writeFormError(w, e.errors)
		return
	}
	writeError(w, e.status, e.code, e.message)
}

func formError(errs map[string]any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: 50035, message: "Invalid Form Body", errors: errs}
}

var (
	errUnknownChannel = &apiError{status: 404, code: 10003, message: "Unknown Channel"}
	errUnknownMessage = &apiError{status: 404, code: 10008, message: "Unknown Message"}
	errUnknownGuild   = &apiError{status: 404, code: 10004, message: "Unknown Guild"}
	errUnknownMember  = &apiError{status: 404, code: 10007, message: "Unknown Member"}
	errUnknownRole    = &apiError{status: 404, code: 10011, message: "Unknown Role"}
	errUnknownEmoji   = &apiError{status: 400, code: 10014, message: "Unknown Emoji"}
	errEmptyMessage   = &apiError{status: 400, code: 50006, message: "Cannot send an empty message"}
	errNotAuthor      = &apiError{status: 403, code: 50005, message: "Cannot edit a message authored by another user"}
	errMissingAccess  = &apiError{status: 403, code: 50001, message: "Missing Access"}
)

// messageBody is what clients send to create or edit a message.
type messageBody struct {
	Content          *string           `json:"content"`
	Embeds           []json.RawMessage `json:"embeds"`
	Components       []json.RawMessage `json:"components"`
	Attachments      []json.RawMessage `json:"attachments"`
	StickerIDs       []string          `json:"sticker_ids"`
	Poll             json.RawMessage   `json:"poll"`
	TTS              bool              `json:"tts"`
	Flags            *int              `json:"flags"`
	Nonce            any               `json:"nonce"`
	MessageReference *MessageReference `json:"message_reference"`
}

// validate checks Discord's limits; create also refuses empty messages.
// messageBodyOK decodes and validates a message body (create: a new message,
// which must not be empty), answering the request itself when it is bad.
func messageBodyOK(w http.ResponseWriter, r *http.Request, create bool) (*messageBody, bool) {
	var b messageBody
	if !bodyOK(w, r, &b) {
		return nil, false
	}
	if e := b.validate(create); e != nil {
		e.write(w)
		return nil, false
	}
	return &b, true
}

func (b *messageBody) validate(create bool) *apiError {
	if b.Content != nil && utf8.RuneCountInString(*b.Content) > 2000 {
		return formError(fieldErrors("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length."))
	}
	if len(b.Embeds) > 10 {
		return formError(fieldErrors("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length."))
	}
	if len(b.Components) > 5 {
		return formError(fieldErrors("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."))
	}
	if create && (b.Content == nil || *b.Content == "") && len(b.Embeds) == 0 && len(b.Components) == 0 &&
		len(b.Attachments) == 0 && len(b.StickerIDs) == 0 && len(b.Poll) == 0 {
		return errEmptyMessage
	}
	return nil
}

func nonNil(v []json.RawMessage) []json.RawMessage {
	if v == nil {
		return []json.RawMessage{}
	}
	return v
}

// newMessageLocked builds (but does not store) a message by author in c.
func (s *Server) newMessageLocked(c *Channel, author User, b *messageBody) (*Message, *apiError) {
	m := &Message{
		ID: s.w.newID(), ChannelID: c.ID, GuildID: c.GuildID, Author: author,
		Timestamp: timestamp(s.now()), TTS: b.TTS, Nonce: b.Nonce,
		Embeds: nonNil(b.Embeds), Components: nonNil(b.Components), Attachments: nonNil(b.Attachments),
	}
	if b.Content != nil {
		m.Content = *b.Content
	}
	if b.Flags != nil {
		m.Flags = *b.Flags
	}
	if c.GuildID != "" {
		if gs := s.w.guild(c.GuildID); gs != nil {
			if mem, ok := gs.member(author.ID); ok {
				mem.User = nil
				m.Member = &mem
			}
		}
	}
	s.fillMentionsLocked(m)
	if ref := b.MessageReference; ref != nil && ref.MessageID != "" {
		orig := s.w.msgByID[ref.MessageID]
		if orig == nil || (ref.ChannelID != "" && orig.ChannelID != ref.ChannelID) {
			if ref.FailIfNotExists == nil || *ref.FailIfNotExists {
				return nil, formError(map[string]any{"message_reference": map[string]any{"_errors": []any{
					fieldError("MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")}}})
			}
		} else {
			m.Type = 19
			m.MessageReference = &MessageReference{Type: 0, MessageID: orig.ID, ChannelID: orig.ChannelID, GuildID: orig.GuildID}
			ref := *orig
			ref.ReferencedMessage, ref.MessageReference = nil, nil
			m.ReferencedMessage = &ref
		}
	}
	return m, nil
}

// storeMessageLocked adds m to its channel and the index.
func (s *Server) storeMessageLocked(m *Message) {
	s.w.messages[m.ChannelID] = append(s.w.messages[m.ChannelID], m)
	s.w.msgByID[m.ID] = m
	if c := s.w.channels[m.ChannelID]; c != nil {
		c.LastMsgID = strp(m.ID)
	}
}

// botOutputLocked describes a bot-authored message for subscribers.
func (s *Server) messageOutputLocked(kind OutputKind, m *Message, body json.RawMessage) Output {
	o := Output{Kind: kind, ChannelID: m.ChannelID, MessageID: m.ID, Content: m.Content,
		Ephemeral: m.Flags&flagEphemeral != 0, Data: body}
	if len(m.Embeds) > 0 {
		o.Embeds = mustJSON(m.Embeds)
	}
	if len(m.Components) > 0 {
		o.Components = mustJSON(m.Components)
	}
	if m.ReferencedMessage != nil {
		o.ReplyTo = m.ReferencedMessage.ID
		o.ReplyToAuthor = m.ReferencedMessage.Author.Username
	}
	return o
}

func (s *Server) channelLocked(id string) (*Channel, *apiError) {
	c := s.w.channels[id]
	if c == nil {
		return nil, errUnknownChannel
	}
	return c, nil
}

func (s *Server) messageLocked(channelID, messageID string) (*Message, *apiError) {
	if _, e := s.channelLocked(channelID); e != nil {
		return nil, e
	}
	m := s.w.msgByID[messageID]
	if m == nil || m.ChannelID != channelID {
		return nil, errUnknownMessage
	}
	return m, nil
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.channelLocked(r.PathValue("channel_id"))
	if e != nil {
		e.write(w)
		return
	}
	writeJSON(w, http.StatusOK, *c)
}

func (s *Server) typing(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, e := s.channelLocked(r.PathValue("channel_id")); e != nil {
		e.write(w)
		return
	}
	writeNoContent(w)
}

func snowflakeLess(a, b string) bool {
	x, _ := strconv.ParseUint(a, 10, 64)
	y, _ := strconv.ParseUint(b, 10, 64)
	return x < y
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.channelLocked(r.PathValue("channel_id"))
	if e != nil {
		e.write(w)
		return
	}
	limit := queryInt(r, "limit", 50, 1, 100)
	after, before := r.URL.Query().Get("after"), r.URL.Query().Get("before")
	all := s.w.messages[c.ID]
	var sel []*Message
	if after != "" {
		// The limit messages right after "after", newest first.
		for _, m := range all {
			if snowflakeLess(after, m.ID) {
				sel = append(sel, m)
				if len(sel) == limit {
					break
				}
			}
		}
	} else {
		for i := len(all) - 1; i >= 0 && len(sel) < limit; i-- {
			if before == "" || snowflakeLess(all[i].ID, before) {
				sel = append(sel, all[i])
			}
		}
		slices.Reverse(sel)
	}
	out := make([]Message, 0, len(sel))
	for i := len(sel) - 1; i >= 0; i-- {
		out = append(out, *sel[i])
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getMessage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.messageLocked(r.PathValue("channel_id"), r.PathValue("message_id"))
	if e != nil {
		e.write(w)
		return
	}
	writeJSON(w, http.StatusOK, *m)
}

func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	b, ok := messageBodyOK(w, r, true)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.channelLocked(r.PathValue("channel_id"))
	if e != nil {
		e.write(w)
		return
	}
	m, e := s.newMessageLocked(c, s.w.bot, b)
	if e != nil {
		e.write(w)
		return
	}
	m.Flags &^= flagEphemeral // only interaction responses can be ephemeral
	s.storeMessageLocked(m)
	s.dispatchMessageLocked("MESSAGE_CREATE", m)
	s.emitLocked(s.messageOutputLocked(OutMessage, m, rawBody(r)))
	writeJSON(w, http.StatusOK, *m)
}

// applyEdit changes m as a PATCH body says.
func (s *Server) applyEditLocked(m *Message, b *messageBody) {
	if b.Content != nil {
		m.Content = *b.Content
		s.fillMentionsLocked(m)
	}
	if b.Embeds != nil {
		m.Embeds = b.Embeds
	}
	if b.Components != nil {
		m.Components = b.Components
	}
	if b.Attachments != nil {
		m.Attachments = b.Attachments
	}
	m.EditedTimestamp = strp(timestamp(s.now()))
}

func (s *Server) editMessage(w http.ResponseWriter, r *http.Request) {
	b, ok := messageBodyOK(w, r, false)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.messageLocked(r.PathValue("channel_id"), r.PathValue("message_id"))
	if e != nil {
		e.write(w)
		return
	}
	if m.Author.ID != s.w.bot.ID {
		errNotAuthor.write(w)
		return
	}
	s.applyEditLocked(m, b)
	s.dispatchMessageLocked("MESSAGE_UPDATE", m)
	s.emitLocked(s.messageOutputLocked(OutEdit, m, rawBody(r)))
	writeJSON(w, http.StatusOK, *m)
}

func (s *Server) deleteMessage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.messageLocked(r.PathValue("channel_id"), r.PathValue("message_id"))
	if e != nil {
		e.write(w)
		return
	}
	s.removeMessageLocked(m)
	s.emitLocked(Output{Kind: OutDelete, ChannelID: m.ChannelID, MessageID: m.ID, Content: m.Content})
	writeNoContent(w)
}

func (s *Server) removeMessageLocked(m *Message) {
	delete(s.w.msgByID, m.ID)
	s.w.messages[m.ChannelID] = slices.DeleteFunc(s.w.messages[m.ChannelID], func(x *Message) bool { return x == m })
	d := map[string]any{"id": m.ID, "channel_id": m.ChannelID}
	if m.GuildID != "" {
		d["guild_id"] = m.GuildID
	}
	s.dispatchLocked("MESSAGE_DELETE", m.GuildID, mustJSON(d), nil)
}

// rawBody returns the JSON body the handler already read (serveREST
// buffers it), for Output.Data.
func rawBody(r *http.Request) json.RawMessage {
	if b, ok := r.Context().Value(bodyKey{}).([]byte); ok && json.Valid(b) {
		return b
	}
	if pj := r.FormValue("payload_json"); pj != "" && json.Valid([]byte(pj)) {
		return json.RawMessage(pj)
	}
	return nil
}

// bodyKey holds the buffered request body in the request context.
type bodyKey struct{}
