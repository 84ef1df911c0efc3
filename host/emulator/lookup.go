package emulator

import (
	"context"
	"fmt"
)

// Getters for the emulated world and its sessions, for tests and the
// console.

// GuildID is the first guild's id.
func (s *Server) GuildID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.guilds[0].guild.ID
}

// GuildIDs lists every guild id, in order.
func (s *Server) GuildIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, g := range s.w.guilds {
		out = append(out, g.guild.ID)
	}
	return out
}

// ChannelID returns the id of a text channel of the first guild by name
// ("general", "welcome"), or "" if there is none.
func (s *Server) ChannelID(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.w.channelByName(name); c != nil {
		return c.ID
	}
	return ""
}

// ChannelIn returns the id of a named text channel in any guild.
func (s *Server) ChannelIn(guildID, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	gs := s.w.guild(guildID)
	if gs == nil {
		return ""
	}
	for _, id := range gs.channels {
		if s.w.channels[id].Name == name {
			return id
		}
	}
	return ""
}

// DMChannelID is the DM channel between the test user and the bot.
func (s *Server) DMChannelID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.dm.ID
}

// BotUser is the bot's user object.
func (s *Server) BotUser() User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.bot
}

// TestUser is the human "tester" that injected messages come from.
func (s *Server) TestUser() User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.tester
}

// ApplicationID is the bot's application id (equal to its user id).
func (s *Server) ApplicationID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.appID
}

// Token is a token the emulator accepts.
func (s *Server) Token() string {
	if s.opts.Token != "" {
		return s.opts.Token
	}
	return "emulator-token"
}

// WaitSessions waits until at least n sessions are identified (or
// resumed) and connected.
func (s *Server) WaitSessions(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		count := 0
		for _, ss := range s.sessions {
			if ss.conn != nil {
				count++
			}
		}
		ch := s.changed
		s.mu.Unlock()
		if count >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("waiting for %d gateway sessions (have %d): %w", n, count, ctx.Err())
		}
	}
}
