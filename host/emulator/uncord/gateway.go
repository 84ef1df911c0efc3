package uncord

import (
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Opcodes (Uncord protocol v0.2.23).
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opPresenceUpdate = 3
	opResume         = 6
	opReconnect      = 7
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatACK   = 11
)

const (
	maxInbound   = 4096 // the real server's maxMessageSize
	sendBuffer   = 256  // frames queued per client before it is dropped
	replayFrames = 1000 // GATEWAY_REPLAY_BUFFER_SIZE
)

type replayFrame struct {
	seq int64
	b   []byte
}

// storedSession is what the real server writes to Valkey when a
// connection drops: only frames that were sent to that connection.
type storedSession struct {
	userID  string
	seq     int64
	replay  []replayFrame
	expires time.Time
}

// conn is one gateway client.
type conn struct {
	s    *Server
	ws   *websocket.Conn
	out  chan []byte   // writer queue
	done chan struct{} // closed when the connection is finished
	once sync.Once

	// guarded by s.mu
	userID     string
	sessionID  string
	identified bool
	seq        int64
	replay     []replayFrame
	noStore    bool // InvalidateSessions: do not keep this session on drop
}

// drop closes the TCP connection without a close frame (the client sees
// 1006), as the server does on a missed heartbeat.
func (c *conn) drop() { c.once.Do(func() { close(c.done); c.ws.Close() }) }

// closeWith sends a close frame with code, then drops the connection.
func (c *conn) closeWith(code int, reason string) {
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.drop()
}

// enqueueLocked queues a frame for the writer; a full queue drops the
// client like the real server's 256-frame send buffer.
func (c *conn) enqueueLocked(b []byte) {
	select {
	case c.out <- b:
	default:
		go c.drop()
	}
}

func (c *conn) writer() {
	for {
		select {
		case b := <-c.out:
			c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if c.ws.WriteMessage(websocket.TextMessage, b) != nil {
				c.drop()
				return
			}
		case <-c.done:
			return
		}
	}
}

func encode(op int, seq int64, t string, d any) []byte {
	f := map[string]any{"op": op}
	if seq > 0 {
		f["s"] = seq
	}
	if t != "" {
		f["t"] = t
	}
	if d != nil {
		f["d"] = d
	}
	b, _ := json.Marshal(f)
	return b
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	if !websocket.IsWebSocketUpgrade(r) {
		writeError(w, errorf(http.StatusUpgradeRequired, "UPGRADE_REQUIRED", "websocket upgrade required"))
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	ws.SetReadLimit(maxInbound)
	c := &conn{s: s, ws: ws, out: make(chan []byte, sendBuffer), done: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ws.Close()
		return
	}
	s.conns[c] = true
	s.wg.Add(1)
	c.enqueueLocked(encode(opHello, 0, "", map[string]any{"heartbeat_interval": s.opts.HeartbeatInterval.Milliseconds()}))
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		c.writer()
	}()
	identifyTimer := time.AfterFunc(s.opts.IdentifyTimeout, func() {
		s.mu.Lock()
		ok := c.identified
		s.mu.Unlock()
		if !ok {
			c.closeWith(4003, "identify timeout")
		}
	})
	s.readLoop(c)
	identifyTimer.Stop()
	c.drop()
	s.endConn(c)
}

func (s *Server) heartbeatDeadline() time.Time {
	return time.Now().Add(s.opts.HeartbeatInterval * 3 / 2)
}

func (s *Server) readLoop(c *conn) {
	c.ws.SetReadDeadline(s.heartbeatDeadline())
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return // deadline passed, client closed, or dropped: no close frame
		}
		var f struct {
			Op *int            `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if json.Unmarshal(data, &f) != nil || f.Op == nil {
			c.closeWith(4002, "invalid JSON")
			return
		}
		switch *f.Op {
		case opHeartbeat:
			// only a heartbeat extends the read deadline
			c.ws.SetReadDeadline(s.heartbeatDeadline())
			s.mu.Lock()
			c.enqueueLocked(encode(opHeartbeatACK, 0, "", nil))
			s.mu.Unlock()
		case opIdentify:
			if !s.identify(c, f.D) {
				return
			}
		case opResume:
			if !s.resume(c, f.D) {
				return
			}
		case opPresenceUpdate:
			if !s.presence(c, f.D) {
				return
			}
		case opDispatch, opReconnect, opInvalidSession, opHello, opHeartbeatACK:
			c.closeWith(4001, "unknown opcode")
			return
		}
		// other opcodes are silently ignored, as on the real server
	}
}

func (s *Server) endConn(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	if c.identified && !c.noStore && !s.closed {
		s.sessions[c.sessionID] = &storedSession{userID: c.userID, seq: c.seq,
			replay: c.replay, expires: s.opts.Now().Add(s.opts.SessionTTL)}
	}
	s.notifyLocked()
}

// tokenUser checks a gateway token; a failure closes with 4004.
func (s *Server) tokenUser(c *conn, tok string) (string, bool) {
	if tok == "" {
		c.closeWith(4004, "token required")
		return "", false
	}
	s.mu.Lock()
	uid, err := s.userForTokenLocked(tok)
	s.mu.Unlock()
	if err != nil {
		c.closeWith(4004, "invalid token")
		return "", false
	}
	return uid, true
}

func (s *Server) identify(c *conn, raw json.RawMessage) bool {
	var d struct {
		Token *string `json:"token"`
	}
	if json.Unmarshal(raw, &d) != nil || d.Token == nil {
		c.closeWith(4002, "invalid identify payload")
		return false
	}
	s.mu.Lock()
	already := c.identified
	s.mu.Unlock()
	if already {
		c.closeWith(4005, "already authenticated")
		return false
	}
	uid, ok := s.tokenUser(c, *d.Token)
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.userID, c.sessionID, c.identified = uid, newSessionID(), true
	c.seq, c.replay = 0, nil
	s.sendLocked(c, "READY", s.readyLocked(c))
	s.sendLocked(c, "PRESENCE_UPDATE", map[string]string{"user_id": uid, "status": "online"})
	s.notifyLocked()
	return true
}

func newSessionID() string { return newUUID()[:12] + "-" + newUUID()[:8] }

func (s *Server) readyLocked(c *conn) map[string]any {
	presences := []map[string]string{}
	for _, m := range s.members {
		presences = append(presences, map[string]string{"user_id": m.User.ID, "status": "online"})
	}
	return map[string]any{"session_id": c.sessionID, "user": s.fullUserLocked(s.accounts[c.userID]),
		"server": s.serverLocked(), "channels": s.channels, "roles": []any{}, "members": s.members,
		"presences": presences, "read_states": []any{},
		"onboarding": map[string]any{"welcome_channel_id": nil, "require_email_verification": true,
			"open_join": true, "min_account_age_seconds": 0, "auto_roles": []any{}, "documents": []any{}}}
}

func (s *Server) resume(c *conn, raw json.RawMessage) bool {
	var d struct {
		Token     *string `json:"token"`
		SessionID string  `json:"session_id"`
		Seq       int64   `json:"seq"`
	}
	if json.Unmarshal(raw, &d) != nil || d.Token == nil {
		c.closeWith(4002, "invalid resume payload")
		return false
	}
	s.mu.Lock()
	already := c.identified
	s.mu.Unlock()
	if already {
		c.closeWith(4005, "already authenticated")
		return false
	}
	uid, ok := s.tokenUser(c, *d.Token)
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.sessions[d.SessionID]
	if st == nil || !s.opts.Now().Before(st.expires) || st.userID != uid || d.Seq > st.seq {
		// the socket stays open: the client may identify on it
		c.enqueueLocked(encode(opInvalidSession, 0, "", false))
		return true
	}
	delete(s.sessions, d.SessionID)
	c.userID, c.sessionID, c.identified = uid, d.SessionID, true
	c.seq, c.replay = st.seq, st.replay
	for _, f := range st.replay {
		if f.seq > d.Seq {
			c.enqueueLocked(f.b)
		}
	}
	s.sendLocked(c, "RESUMED", map[string]any{})
	s.notifyLocked()
	return true
}

func (s *Server) presence(c *conn, raw json.RawMessage) bool {
	s.mu.Lock()
	ok := c.identified
	s.mu.Unlock()
	if !ok {
		c.closeWith(4003, "not authenticated")
		return false
	}
	var d struct {
		Status string `json:"status"`
	}
	json.Unmarshal(raw, &d)
	switch d.Status {
	case "online", "idle", "dnd", "invisible":
	default:
		c.closeWith(4002, "invalid status")
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.broadcastLocked("PRESENCE_UPDATE", map[string]string{"user_id": c.userID, "status": d.Status}, "")
	if c.userID == s.bot.user.ID {
		s.emitLocked(Output{Kind: OutPresence, Status: d.Status})
	}
	return true
}

// sendLocked sends one dispatch with the connection's next sequence
// number and keeps it for a later resume.
func (s *Server) sendLocked(c *conn, name string, d any) {
	c.seq++
	b := encode(opDispatch, c.seq, name, d)
	c.replay = append(c.replay, replayFrame{c.seq, b})
	if len(c.replay) > replayFrames {
		c.replay = c.replay[len(c.replay)-replayFrames:]
	}
	c.enqueueLocked(b)
}

// broadcastLocked sends a dispatch to every identified connection that may
// see it (channel events need ViewChannels on channelID).
func (s *Server) broadcastLocked(name string, d any, channelID string) {
	ch := s.channelLocked(channelID)
	for c := range s.conns {
		if !c.identified || (ch != nil && !s.canViewLocked(c.userID, ch)) {
			continue
		}
		s.sendLocked(c, name, d)
	}
}

// notifyLocked wakes WaitSessions.
func (s *Server) notifyLocked() {
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
}

var errClosed = errors.New("uncord emulator: closed")
