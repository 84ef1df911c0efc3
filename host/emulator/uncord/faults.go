package uncord

func (s *Server) liveConns() []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

// DropConnections cuts every gateway connection without a close frame
// (the client sees 1006). Sessions stay resumable.
func (s *Server) DropConnections() {
	for _, c := range s.liveConns() {
		c.drop()
	}
}

// CloseConnections closes every gateway connection with code, e.g. 1001
// "server shutting down" as on SIGTERM, or 4000.
func (s *Server) CloseConnections(code int, reason string) {
	for _, c := range s.liveConns() {
		c.closeWith(code, reason)
	}
}

// SendReconnect queues op 7 on every connection (the real server does this
// on shutdown, though the 1001 close usually wins the race).
func (s *Server) SendReconnect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.enqueueLocked(encode(opReconnect, 0, "", nil))
	}
}

// InvalidateSessions forgets every resumable session, stored or live: the
// next resume is answered with op 9.
func (s *Server) InvalidateSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.sessions)
	for c := range s.conns {
		c.noStore = true
	}
}
