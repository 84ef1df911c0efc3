package uncord

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/botrun/botrun/host/gateway"
)

// Event is one event for the scripts, in order. A recognised text command
// arrives as Name "INTERACTION_CREATE" with Command set to the command's
// name (the route key) and Data the interaction-shaped payload.
type Event struct {
	Name    string
	Aliases []string // the other platform's name for the same event
	Data    json.RawMessage
	Command string
	Owner   string // with Command: the script that declared it
}

// BotConfig configures a Bot: the whole Uncord side of a running bot.
type BotConfig struct {
	BaseURL      string
	Email        string
	Password     string
	RefreshToken string
	StatePath    string // e.g. <botdir>/.botrun/uncord.json
	Logger       *slog.Logger
	HTTPClient   *http.Client
	// CommandPrefix starts text commands, default "/".
	CommandPrefix string
	// Deliver receives every event for the scripts. It is called from one
	// goroutine at a time and must not block for long.
	Deliver func(Event)
	// Gateway, when set, adjusts the gateway configuration (tests: shorter
	// backoff and intervals).
	Gateway func(*gateway.Config)
}

// Bot wires Auth, Client, Commands, Responder, Backfill and the shared
// gateway session for one Uncord bot.
type Bot struct {
	cfg       BotConfig
	log       *slog.Logger
	auth      *Auth
	client    *Client
	commands  *Commands
	responder *Responder
	backfill  *Backfill
	gw        *gateway.Manager

	ctxMu sync.Mutex // guards runCtx
	// runCtx is Run's context, for usage replies sent from delivery.
	runCtx context.Context
	wg     sync.WaitGroup // usage replies in flight and the token keeper
}

// NewBot checks the configuration and builds the parts; nothing connects
// until Run. A credential problem is an *AuthError.
func NewBot(cfg BotConfig) (*Bot, error) {
	if cfg.Deliver == nil {
		return nil, errors.New("uncord: BotConfig.Deliver is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	auth, err := NewAuth(AuthConfig{BaseURL: cfg.BaseURL, Email: cfg.Email, Password: cfg.Password,
		RefreshToken: cfg.RefreshToken, StatePath: cfg.StatePath, HTTPClient: cfg.HTTPClient, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	client, err := NewClient(ClientConfig{BaseURL: cfg.BaseURL, Auth: auth, HTTPClient: cfg.HTTPClient, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	b := &Bot{cfg: cfg, log: cfg.Logger, auth: auth, client: client,
		commands:  NewCommands(cfg.CommandPrefix),
		responder: NewResponder(client, ResponderOptions{Log: cfg.Logger}),
		runCtx:    context.Background()}
	b.backfill = NewBackfill(BackfillConfig{API: client, Deliver: b.deliver, Logger: cfg.Logger})
	gcfg, err := GatewayConfig(cfg.BaseURL, auth, cfg.Logger)
	if err != nil {
		return nil, err
	}
	gcfg.Dispatch = func(d gateway.Dispatch) { b.backfill.Handle(d.Name, d.Data) }
	if cfg.Gateway != nil {
		cfg.Gateway(&gcfg)
	}
	if b.gw, err = gateway.New(gcfg); err != nil {
		return nil, err
	}
	return b, nil
}

// Client is the REST side (the scripts' platform).
func (b *Bot) Client() *Client { return b.client }

// Responder answers text commands (the scripts' interactions).
func (b *Bot) Responder() *Responder { return b.responder }

// Commands holds the declared commands; call Set after every (re)load.
func (b *Bot) Commands() *Commands { return b.commands }

// UserID is the bot's user id (after the first login or READY).
func (b *Bot) UserID() string {
	if id := b.backfill.SelfID(); id != "" {
		return id
	}
	return b.auth.UserID()
}

// UpdatePresence sets the bot's status (online, idle, dnd, invisible).
func (b *Bot) UpdatePresence(ctx context.Context, presence map[string]any) error {
	return b.gw.UpdatePresence(ctx, presence)
}

// Latency is the gateway heartbeat round trip.
func (b *Bot) Latency() time.Duration { return b.gw.Latency() }

// Run connects and stays connected until ctx ends (nil) or a fatal error:
// *AuthError (credentials) or *gateway.FatalError (the token rejected
// twice).
func (b *Bot) Run(ctx context.Context) error {
	b.ctxMu.Lock()
	b.runCtx = ctx
	b.ctxMu.Unlock()
	kctx, stop := context.WithCancel(ctx)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		b.auth.KeepFresh(kctx, time.Minute)
	}()
	err := b.gw.Run(ctx)
	stop()
	b.backfill.Close()
	b.wg.Wait()
	return err
}

func (b *Bot) deliver(name string, data json.RawMessage) {
	var inv Invocation
	var ok bool
	switch name {
	case "MESSAGE_CREATE":
		// not DM_MESSAGE_CREATE: Uncord DMs are end-to-end encrypted, so
		// their content is not a readable command and a reply would not be
		// readable either
		inv, ok = b.commands.Match(data, b.backfill.SelfID())
	case "SLASH_COMMAND_INVOCATION":
		inv, ok = b.commands.MatchInvocation(data)
	}
	if !ok {
		b.cfg.Deliver(Event{Name: name, Aliases: Aliases(name), Data: data})
		return
	}
	if inv.Usage != "" {
		b.ctxMu.Lock()
		ctx := b.runCtx
		b.ctxMu.Unlock()
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := b.responder.Usage(ctx, inv); err != nil {
				b.log.Warn("uncord: could not send a command usage reply", "command", inv.Name, "err", err)
			}
		}()
		return
	}
	b.cfg.Deliver(Event{Name: "INTERACTION_CREATE", Data: inv.Interaction, Command: inv.Name, Owner: inv.Owner})
}
