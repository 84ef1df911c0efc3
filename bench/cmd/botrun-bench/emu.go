package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/botrun/botrun/bench/load"
	"github.com/botrun/botrun/host/emulator"
)

// unlimited lifts the emulator's REST rate limits: the latency workload
// answers 500 messages a second, ten times Discord's per-channel budget,
// and the benchmark measures the bots, not the limiter.
const unlimited = 1 << 30

// emu adapts a host/emulator Server to load.Platform.
type emu struct {
	s       *emulator.Server
	channel string
	replies chan load.Reply
	stop    func()
	drained chan struct{}

	// mu guards last, the most recently injected message.
	mu   sync.Mutex
	last *emulator.Message
}

func newEmu() (*emu, error) {
	s := emulator.New(emulator.Options{
		Token:           "bench-token",
		GlobalRateLimit: unlimited,
		RateLimits: map[string]emulator.RateLimit{
			"POST /channels/{channel_id}/messages": {Limit: unlimited, Window: time.Second},
		},
	})
	if err := s.Start("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("start emulator: %w", err)
	}
	out, stop := s.Subscribe()
	e := &emu{s: s, channel: s.ChannelID("general"), replies: make(chan load.Reply, 1<<16), stop: stop, drained: make(chan struct{})}
	go func() {
		defer close(e.drained)
		for o := range out {
			if o.Kind != emulator.OutMessage {
				continue
			}
			select {
			case e.replies <- load.Reply{Content: o.Content, At: time.Now()}:
			default: // nobody is reading 64k replies behind; a workload would count it lost
			}
		}
	}()
	return e, nil
}

func (e *emu) APIBase() string            { return e.s.APIBase() }
func (e *emu) URL() string                { return e.s.URL() }
func (e *emu) Token() string              { return e.s.Token() }
func (e *emu) Replies() <-chan load.Reply { return e.replies }

func (e *emu) WaitReady(ctx context.Context, n int) error { return e.s.WaitSessions(ctx, n) }

func (e *emu) Send(content string) error {
	m, err := e.s.InjectMessage(e.channel, content)
	if err != nil {
		return fmt.Errorf("inject message: %w", err)
	}
	e.mu.Lock()
	e.last = &m
	e.mu.Unlock()
	return nil
}

func (e *emu) LastFrame() []byte {
	e.mu.Lock()
	m := e.last
	e.mu.Unlock()
	if m == nil {
		return nil
	}
	b, _ := json.Marshal(m)
	return b
}

func (e *emu) Close() error {
	e.stop()
	err := e.s.Close()
	<-e.drained
	return err
}

func (e *emu) PrepareBurst(ctx context.Context, n int, content func(i int) string) (load.Burst, error) {
	b, err := e.s.PrepareBurst(ctx, e.channel, n, content)
	if err != nil {
		return nil, err
	}
	return burst{b}, nil
}

// burst adapts *emulator.Burst to load.Burst.
type burst struct{ *emulator.Burst }

func (b burst) Sample() []byte { return b.Burst.Sample() }
