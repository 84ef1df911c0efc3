package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// Gateway opcodes.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opPresence       = 3
	opVoiceState     = 4
	opResume         = 6
	opReconnect      = 7
	opRequestMembers = 8
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatACK   = 11
	opSoundboard     = 31
	opChannelInfo    = 43
)

// Gateway limits Discord documents.
const (
	maxClientPayload = 4096
	sendLimit        = 120
	sendWindow       = 60 * time.Second
)

var upgrader = websocket.Upgrader{
	CheckOrigin:     func(*http.Request) bool { return true },
	ReadBufferSize:  4096,
	WriteBufferSize: 4096,
}

// gatewayClose is a reason to end a connection with a close code.
type gatewayClose struct {
	code   int
	reason string
}

func (e *gatewayClose) Error() string { return strconv.Itoa(e.code) + " " + e.reason }

func closeWith(code int, reason string) error { return &gatewayClose{code, reason} }

// serveGateway runs one WebSocket connection; the reader loop runs here.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request, resumePath bool) {
	q := r.URL.Query()
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.log.Debug("gateway: upgrade failed", "error", err)
		return
	}
	ws.SetReadLimit(1 << 20) // larger frames are answered with 4002 below
	c := newConn(s, ws, q.Get("compress") == "zlib-stream")

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	go c.writeLoop()

	s.log.Debug("gateway: connected", "remote", r.RemoteAddr, "resume_path", resumePath, "query", r.URL.RawQuery)
	cause := s.checkQuery(q)
	if cause == nil {
		c.enqueue(outFrame{data: []byte(`{"t":null,"s":null,"op":10,"d":{"heartbeat_interval":` + strconv.FormatInt(s.opts.HeartbeatInterval.Milliseconds(), 10) + `}}`)})
		cause = s.readLoop(c)
	}
	s.endConn(c, cause)
}

func (s *Server) checkQuery(q map[string][]string) error {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if v := get("v"); v != "" && v != "9" && v != "10" {
		return closeWith(4012, "Invalid API version.")
	}
	if e := get("encoding"); e != "" && e != "json" {
		return closeWith(4002, "The emulator supports encoding=json only.")
	}
	if c := get("compress"); c != "" && c != "zlib-stream" {
		return closeWith(4000, "The emulator supports compress=zlib-stream only.")
	}
	return nil
}

// heartbeatTimeout is how long a connection may go without a heartbeat.
func (s *Server) heartbeatTimeout() time.Duration { return s.opts.HeartbeatTimeout }

// readLoop reads client frames until the connection ends; it returns why.
func (s *Server) readLoop(c *conn) error {
	timeout := s.heartbeatTimeout()
	_ = c.ws.SetReadDeadline(time.Now().Add(timeout))
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return closeWith(4009, "Session timed out.")
			}
			return err
		}
		if err := s.handleFrame(c, data); err != nil {
			return err
		}
	}
}

// endConn closes the connection (with a close frame when cause is a
// gatewayClose) and decides what becomes of its session.
func (s *Server) endConn(c *conn, cause error) {
	var gc *gatewayClose
	var ce *websocket.CloseError
	endSession := false
	switch {
	case errors.As(cause, &gc):
		s.log.Debug("gateway: closing", "code", gc.code, "reason", gc.reason)
		s.mu.Lock()
		c.serverClose = gc.code
		s.mu.Unlock()
		c.enqueue(outFrame{close: true, code: gc.code, reason: gc.reason})
		// Read until the client answers the close frame (or a second
		// passes), so hanging up cannot reset the connection before the
		// client has read the code.
		_ = c.ws.SetReadDeadline(time.Now().Add(time.Second))
		for {
			if _, _, err := c.ws.ReadMessage(); err != nil {
				break
			}
		}
	case errors.As(cause, &ce):
		// A client closing with 1000 or 1001 ends its session on Discord:
		// a later resume gets op 9 false.
		endSession = ce.Code == websocket.CloseNormalClosure || ce.Code == websocket.CloseGoingAway
		s.log.Debug("gateway: client closed", "code", ce.Code, "reason", ce.Text, "session_ended", endSession)
		c.closeNow()
	default:
		c.closeNow()
	}
	close(c.readDone)
	s.mu.Lock()
	if c.serverClose != 0 {
		endSession = !resumableClose(c.serverClose)
	}
	delete(s.conns, c)
	if ss := c.sess; ss != nil && ss.conn == c {
		ss.conn = nil
		ss.lostAt = time.Now()
		if endSession || ss.noResume {
			delete(s.sessions, ss.id)
		}
	}
	c.sess = nil
	s.notifyChangedLocked()
	s.mu.Unlock()
	<-c.done
}

// resumableClose reports whether a session survives a server close code.
func resumableClose(code int) bool {
	switch code {
	case 1000, 1001, 4004, 4007, 4009, 4010, 4011, 4012, 4013, 4014:
		return false
	}
	return true
}

type payload struct {
	Op *int            `json:"op"`
	D  json.RawMessage `json:"d"`
}

// handleFrame answers one client frame as Discord would. A non-nil error
// ends the connection.
func (s *Server) handleFrame(c *conn, data []byte) error {
	if len(data) > maxClientPayload {
		s.log.Warn("gateway: client payload over 4096 bytes", "size", len(data))
		return closeWith(4002, "Error while decoding payload.")
	}
	now := time.Now()
	c.sends = append(c.sends, now)
	for len(c.sends) > 0 && now.Sub(c.sends[0]) > sendWindow {
		c.sends = c.sends[1:]
	}
	if len(c.sends) > sendLimit {
		s.log.Warn("gateway: client sent more than 120 payloads in 60s")
		return closeWith(4008, "Rate limited.")
	}
	p, err := decodePayload(data)
	if err != nil {
		s.log.Warn("gateway: undecodable client payload", "error", err, "payload", truncate(data, 200))
		return closeWith(4002, "Error while decoding payload.")
	}
	s.mu.Lock()
	identified := c.sess != nil
	s.mu.Unlock()
	switch *p.Op {
	case opHeartbeat:
		_ = c.ws.SetReadDeadline(time.Now().Add(s.heartbeatTimeout()))
		s.mu.Lock()
		off := s.acksOffLocked(c.shard)
		s.mu.Unlock()
		if !off {
			c.enqueue(outFrame{data: []byte(`{"t":null,"s":null,"op":11,"d":null}`)})
		}
		return nil
	case opIdentify:
		if identified {
			return closeWith(4005, "Already authenticated.")
		}
		return s.identify(c, p.D)
	case opResume:
		if identified {
			return closeWith(4005, "Already authenticated.")
		}
		return s.resume(c, p.D)
	}
	if !identified {
		return closeWith(4003, "Not authenticated.")
	}
	switch *p.Op {
	case opPresence:
		return s.presence(c, p.D)
	case opRequestMembers:
		return s.requestMembers(c, p.D)
	case opVoiceState, opSoundboard, opChannelInfo:
		return nil
	}
	return closeWith(4001, "Unknown opcode.")
}

// decodePayload parses a client frame; it never panics on bad input.
func decodePayload(data []byte) (payload, error) {
	var p payload
	if err := json.Unmarshal(data, &p); err != nil {
		return p, err
	}
	if p.Op == nil {
		return p, errors.New("missing op")
	}
	return p, nil
}

// checkToken accepts the configured token with or without the "Bot " prefix.
func (s *Server) checkToken(tok string) bool {
	tok = strings.TrimSpace(strings.TrimPrefix(tok, "Bot "))
	if tok == "" {
		return false
	}
	return s.opts.Token == "" || tok == s.opts.Token
}

type identifyData struct {
	Token      string          `json:"token"`
	Intents    *uint64         `json:"intents"`
	Shard      []int           `json:"shard"`
	Properties map[string]any  `json:"properties"`
	Presence   json.RawMessage `json:"presence"`
}

func (s *Server) identify(c *conn, raw json.RawMessage) error {
	var d identifyData
	if err := json.Unmarshal(raw, &d); err != nil {
		return closeWith(4002, "Error while decoding payload.")
	}
	if !s.checkToken(d.Token) {
		return closeWith(4004, "Authentication failed.")
	}
	if d.Intents == nil || *d.Intents&^validIntents != 0 {
		return closeWith(4013, "Invalid intent(s).")
	}
	if *d.Intents&privilegedIntents&^s.opts.AllowedIntents != 0 {
		return closeWith(4014, "Disallowed intent(s).")
	}
	shard := [2]int{0, 1}
	if d.Shard != nil {
		if len(d.Shard) != 2 || d.Shard[1] < 1 || d.Shard[0] < 0 || d.Shard[0] >= d.Shard[1] {
			return closeWith(4010, "Invalid shard.")
		}
		shard = [2]int{d.Shard[0], d.Shard[1]}
	}
	if s.opts.MinShards > 1 && shard[1] < s.opts.MinShards {
		return closeWith(4011, "Sharding required.")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if iv := s.opts.IdentifyInterval; iv > 0 {
		key := shard[0] % s.opts.MaxConcurrency
		if last, ok := s.lastIdentify[key]; ok && time.Since(last) < iv {
			c.enqueue(outFrame{data: []byte(`{"t":null,"s":null,"op":9,"d":false}`)})
			return nil
		}
		s.lastIdentify[key] = time.Now()
	}
	if s.startLeft > 0 {
		s.startLeft--
	}
	ss := &session{id: newSessionID(), shard: shard, intents: *d.Intents, presence: d.Presence}
	s.sessions[ss.id] = ss
	ss.conn, c.sess, c.shard = c, ss, shard[0]
	s.log.Debug("gateway: identified", "session", ss.id, "shard", shard, "intents", *d.Intents)

	var stubs []map[string]any
	var mine []*guildState
	for _, gs := range s.w.guilds {
		if shardFor(gs.guild.ID, shard[1]) == shard[0] {
			stubs = append(stubs, map[string]any{"id": gs.guild.ID, "unavailable": true})
			mine = append(mine, gs)
		}
	}
	if stubs == nil {
		stubs = []map[string]any{}
	}
	ss.record("READY", mustJSON(map[string]any{
		"v":                   10,
		"user":                s.w.bot,
		"guilds":              stubs,
		"session_id":          ss.id,
		"session_type":        "normal",
		"resume_gateway_url":  s.resumeURL(),
		"shard":               shard,
		"application":         map[string]any{"id": s.w.appID, "flags": 0},
		"private_channels":    []any{},
		"relationships":       []any{},
		"presences":           []any{},
		"guild_join_requests": []any{},
		"user_settings":       map[string]any{},
	}))
	if ss.intents&intentGuilds != 0 {
		for _, gs := range mine {
			g := s.w.fullGuild(gs, true)
			if ss.intents&intentGuildPresences == 0 {
				// Without GUILD_PRESENCES Discord lists only the bot itself.
				g.Members = slices.DeleteFunc(g.Members, func(m Member) bool { return m.User.ID != s.w.bot.ID })
			}
			ss.record("GUILD_CREATE", mustJSON(g))
		}
	}
	if len(d.Presence) > 0 && string(d.Presence) != "null" {
		s.emitLocked(Output{Kind: OutPresence, Data: d.Presence, Status: presenceStatus(d.Presence)})
	}
	s.notifyChangedLocked()
	return nil
}

type resumeData struct {
	Token     string `json:"token"`
	SessionID string `json:"session_id"`
	Seq       *int64 `json:"seq"`
}

func (s *Server) resume(c *conn, raw json.RawMessage) error {
	var d resumeData
	if err := json.Unmarshal(raw, &d); err != nil {
		return closeWith(4002, "Error while decoding payload.")
	}
	if !s.checkToken(d.Token) {
		return closeWith(4004, "Authentication failed.")
	}
	var seq int64
	if d.Seq != nil {
		seq = *d.Seq
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	ss := s.sessions[d.SessionID]
	if ss == nil || !ss.canReplayFrom(seq) {
		s.log.Debug("gateway: resume refused", "session", d.SessionID, "seq", seq, "known", ss != nil)
		c.enqueue(outFrame{data: []byte(`{"t":null,"s":null,"op":9,"d":false}`)})
		return nil
	}
	if old := ss.conn; old != nil && old != c {
		old.sess = nil
		old.closeNow()
	}
	ss.conn, c.sess, c.shard = c, ss, ss.shard[0]
	replayed := 0
	for _, ev := range ss.buf {
		if ev.seq > seq {
			c.enqueue(outFrame{data: ev.frame})
			replayed++
		}
	}
	ss.record("RESUMED", json.RawMessage(`{"_trace":["botrun-emulator"]}`))
	s.log.Debug("gateway: resumed", "session", ss.id, "from_seq", seq, "replayed", replayed)
	s.notifyChangedLocked()
	return nil
}

func (s *Server) presence(c *conn, raw json.RawMessage) error {
	var probe map[string]any
	if err := json.Unmarshal(raw, &probe); err != nil || probe == nil {
		return closeWith(4001, "Invalid presence payload.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.sess != nil {
		c.sess.presence = append(json.RawMessage(nil), raw...)
	}
	s.emitLocked(Output{Kind: OutPresence, Data: append(json.RawMessage(nil), raw...), Status: presenceStatus(raw)})
	return nil
}

func presenceStatus(raw json.RawMessage) string {
	var p struct {
		Status string `json:"status"`
	}
	_ = json.Unmarshal(raw, &p)
	return p.Status
}

func (s *Server) requestMembers(c *conn, raw json.RawMessage) error {
	var d struct {
		GuildID string `json:"guild_id"`
		Nonce   string `json:"nonce"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return closeWith(4001, "Invalid request guild members payload.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	gs := s.w.guild(d.GuildID)
	if gs == nil || c.sess == nil {
		return nil
	}
	members := []Member{}
	for _, id := range gs.order {
		m, _ := gs.member(id)
		members = append(members, m)
	}
	c.sess.record("GUILD_MEMBERS_CHUNK", mustJSON(map[string]any{
		"guild_id": gs.guild.ID, "members": members, "chunk_index": 0, "chunk_count": 1, "nonce": d.Nonce,
	}))
	return nil
}

// shardFor is Discord's sharding formula.
func shardFor(guildID string, n int) int {
	id, _ := strconv.ParseUint(guildID, 10, 64)
	if n <= 0 {
		return 0
	}
	return int((id >> 22) % uint64(n))
}

func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("emulator: marshal: " + err.Error()) // only our own types reach here
	}
	return b
}

// tokenField matches a token in a client payload, so logs never show it.
var tokenField = regexp.MustCompile(`"token"\s*:\s*"[^"]*"?`)

// truncate shortens a client payload for a log line, with any token
// redacted.
func truncate(b []byte, n int) string {
	b = tokenField.ReplaceAll(b, []byte(`"token":"<redacted>"`))
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
