package gateway

import (
	"context"
	"errors"
	"fmt"
)

// sendIdentify starts a new session on c with the Manager's current
// intents and presence.
func (s *shard) sendIdentify(ctx context.Context, c *conn, token string) error {
	// a re-identify request queued before this Identify is satisfied by it
	select {
	case <-s.reidentify:
	default:
	}
	s.clearSession()
	s.seqSeen.Store(0)
	cfg := &s.m.cfg
	s.m.mu.Lock()
	intents, presence := s.m.intents, s.m.presence
	s.m.mu.Unlock()
	s.sessionIntents = intents
	shard := [2]int{s.id, s.count}

	var b []byte
	var err error
	if cfg.Dialect != nil {
		b, err = encodeFrame(opIdentify, cfg.Dialect.Identify(token, intents, shard, presence))
	} else {
		d := map[string]any{
			"token":           token,
			"properties":      cfg.Properties,
			"intents":         intents,
			"shard":           shard,
			"large_threshold": cfg.LargeThreshold,
			"compress":        false,
		}
		if presence != nil {
			d["presence"] = presence
		}
		b, err = encodeFrame(opIdentify, d)
		if errors.Is(err, ErrPayloadTooLarge) && presence != nil {
			s.m.log.Warn("gateway: presence too large for Identify; identifying without it", "shard", s.id)
			delete(d, "presence")
			b, err = encodeFrame(opIdentify, d)
		}
	}
	if err != nil {
		return fmt.Errorf("identify: %w", err)
	}
	// A new connection always has room and the wait only records the
	// send; identifying again on the same socket may have to wait.
	if err := c.lim.wait(ctx); err != nil {
		return fmt.Errorf("identify: %w", err)
	}
	s.m.log.Info("gateway: identifying", "shard", s.id, "shard_count", s.count, "intents", intents)
	if err := c.write(b); err != nil {
		return fmt.Errorf("identify: %w", err)
	}
	return nil
}

// sendResume asks the server to continue the session from the last seq.
func (s *shard) sendResume(ctx context.Context, c *conn, token string) error {
	b, err := encodeFrame(opResume, map[string]any{"token": token, "session_id": s.sessionID, "seq": s.seq})
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	if err := c.lim.wait(ctx); err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	s.m.log.Info("gateway: resuming", "shard", s.id, "seq", s.seq)
	if err := c.write(b); err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	return nil
}
