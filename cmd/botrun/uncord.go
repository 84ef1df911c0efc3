package main

// Adapters from host/uncord to the bindings interfaces, for platform = "uncord".

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"

	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/runner"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/host/uncord"
)

// uncordAPIError turns an Uncord failure into what scripts see: Uncord's
// codes are strings, so code is 0, the string code ends the message and
// errors is the error object as sent.
func uncordAPIError(err error, method, path string) error {
	var ue *uncord.Error
	if errors.As(err, &ue) {
		return &bindings.APIError{Status: ue.Status, Message: ue.ScriptMessage(), Errors: ue.Raw, Method: ue.Method, Path: ue.Path}
	}
	var ae *bindings.APIError
	if errors.As(err, &ae) {
		return ae
	}
	return &bindings.APIError{Method: method, Path: path, Message: err.Error()}
}

// uncordPlatform is bindings.Platform over Uncord's REST API.
type uncordPlatform struct{ c *uncord.Client }

func (p uncordPlatform) Request(ctx context.Context, method, path string, body any) (json.RawMessage, error) {
	raw, err := p.c.Request(ctx, method, path, body)
	if err != nil {
		return nil, uncordAPIError(err, method, path)
	}
	return raw, nil
}

func (p uncordPlatform) SendMessage(ctx context.Context, channelID string, msg map[string]any, replyTo string) (json.RawMessage, error) {
	raw, err := p.c.SendMessage(ctx, channelID, msg, replyTo)
	if err != nil {
		return nil, uncordAPIError(err, "POST", "/channels/"+channelID+"/messages")
	}
	return raw, nil
}

func (p uncordPlatform) EditMessage(ctx context.Context, channelID, messageID string, msg map[string]any) (json.RawMessage, error) {
	raw, err := p.c.EditMessage(ctx, channelID, messageID, msg)
	if err != nil {
		return nil, uncordAPIError(err, "PATCH", "/messages/"+messageID)
	}
	return raw, nil
}

func (p uncordPlatform) DeleteMessage(ctx context.Context, channelID, messageID string) error {
	if err := p.c.DeleteMessage(ctx, channelID, messageID); err != nil {
		return uncordAPIError(err, "DELETE", "/messages/"+messageID)
	}
	return nil
}

func (p uncordPlatform) AddReaction(ctx context.Context, channelID, messageID, emoji string) error {
	if err := p.c.AddReaction(ctx, channelID, messageID, emoji); err != nil {
		return uncordAPIError(err, "PUT", "/channels/"+channelID+"/messages/"+messageID+"/reactions")
	}
	return nil
}

// uncordInteractions is bindings.Interactions over text commands.
type uncordInteractions struct{ r *uncord.Responder }

func (u uncordInteractions) Respond(ctx context.Context, ix bindings.InteractionRef, kind bindings.ResponseKind, data map[string]any) (json.RawMessage, error) {
	raw, err := u.r.Respond(ctx, uncord.Interaction(ix), int(kind), data)
	if err != nil {
		return nil, uncordAPIError(err, "POST", "interaction response")
	}
	return raw, nil
}

func (u uncordInteractions) Followup(ctx context.Context, ix bindings.InteractionRef, msg map[string]any) (json.RawMessage, error) {
	raw, err := u.r.Followup(ctx, uncord.Interaction(ix), msg)
	if err != nil {
		return nil, uncordAPIError(err, "POST", "followup")
	}
	return raw, nil
}

func (u uncordInteractions) EditOriginal(ctx context.Context, ix bindings.InteractionRef, msg map[string]any) (json.RawMessage, error) {
	raw, err := u.r.EditOriginal(ctx, uncord.Interaction(ix), msg)
	if err != nil {
		return nil, uncordAPIError(err, "PATCH", "original response")
	}
	return raw, nil
}

func (u uncordInteractions) DeleteOriginal(ctx context.Context, ix bindings.InteractionRef) error {
	if err := u.r.DeleteOriginal(ctx, uncord.Interaction(ix)); err != nil {
		return uncordAPIError(err, "DELETE", "original response")
	}
	return nil
}

var (
	_ bindings.Platform     = uncordPlatform{}
	_ bindings.Interactions = uncordInteractions{}
	_ bindings.Gateway      = (*uncord.Bot)(nil)
)

// runUncord is `botrun run` on an Uncord server: the same runner, store and
// hot reload as on Discord, with host/uncord in place of the gateway, REST
// client and command syncer. Uncord has no application commands: scripts'
// command() declarations become text commands ("/echo hello").
func (s *session) runUncord(parent context.Context) int {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	cfg := s.cfg
	login := uncordLogin{baseURL: cfg.BaseURL, email: s.app.getenv("UNCORD_EMAIL"), password: s.app.getenv("UNCORD_PASSWORD")}
	refresh := s.app.getenv("UNCORD_REFRESH_TOKEN")
	statePath := filepath.Join(s.dir, ".botrun", "uncord.json")
	if login.email == "" && login.password == "" && refresh == "" && !fileExists(statePath) {
		// No way to log in to a server: the local development loop.
		c, l, err := startUncordConsole(s)
		if err != nil {
			s.log.Error("starting the built-in Uncord emulator", "error", err)
			return exitFatal
		}
		s.console = c
		defer c.close()
		login = l
		// The emulator's tokens die with it: keep them out of the bot's
		// directory, where a saved login means "use the real server".
		tmp, err := os.MkdirTemp("", "botrun-uncord-")
		if err != nil {
			s.log.Error("temporary directory for the emulator login", "error", err)
			return exitFatal
		}
		defer os.RemoveAll(tmp)
		statePath = filepath.Join(tmp, "uncord.json")
		s.log = newLogger(s.app.stderr, cfg.LogLevel, cfg.LogFormat, s.token, login.password, refresh)
		ignored := ""
		if cfg.BaseURL != "" {
			ignored = " (base_url in " + ConfigFile + " is ignored)"
		}
		s.log.Info("no UNCORD_EMAIL/UNCORD_PASSWORD or UNCORD_REFRESH_TOKEN: running on the built-in Uncord emulator" + ignored + "; type a message, or /command key:value")
	}
	if login.baseURL == "" {
		s.log.Error("platform uncord needs base_url in " + ConfigFile + " (the server's URL, such as https://chat.example.org)")
		return exitFatal
	}
	db, code, ok := s.openStore()
	if !ok {
		return code
	}
	defer s.closeStore(db)

	var run *runner.Runner
	var bot *uncord.Bot
	deliver := func(e uncord.Event) {
		if e.Name == "READY" {
			s.bot.fromReady(e.Data)
		}
		ev := bindings.Event{Name: e.Name, Aliases: e.Aliases, Data: e.Data}
		if s.console != nil {
			defer s.console.dispatched(e.Name, e.Data)
		}
		if e.Command == "" {
			run.Dispatch(ev)
			return
		}
		ev.Route = &bindings.Route{Kind: "command", Key: e.Command}
		var ref bindings.InteractionRef
		var ix struct {
			ID        string `json:"id"`
			Token     string `json:"token"`
			ChannelID string `json:"channel_id"`
			Type      int    `json:"type"`
			Message   struct {
				ID string `json:"id"`
			} `json:"message"`
		}
		if json.Unmarshal(e.Data, &ix) == nil {
			ref = bindings.InteractionRef{ID: ix.ID, Token: ix.Token, ChannelID: ix.ChannelID, Type: ix.Type, MessageID: ix.Message.ID}
		}
		run.DispatchTo(e.Owner, ev, func(se *engine.ScriptError) {
			go bot.Responder().Fail(ctx, uncord.Interaction(ref), se)
		})
	}
	bot, err := uncord.NewBot(uncord.BotConfig{
		BaseURL:      login.baseURL,
		Email:        login.email,
		Password:     login.password,
		RefreshToken: refresh,
		StatePath:    statePath,
		Logger:       s.log,
		Deliver:      deliver,
	})
	if err != nil {
		s.log.Error(err.Error())
		return exitFatal
	}
	host := &bindings.Host{
		Platform:     uncordPlatform{bot.Client()},
		Interactions: uncordInteractions{bot.Responder()},
		Gateway:      bot,
		Store:        func(script string) (bindings.Store, error) { return db.Scope(script), nil },
		Bot:          s.bot.get,
	}
	owners := map[string]bool{} // scripts that declared commands; touched only by OnCommands, which never overlaps itself
	run, err = s.newRunner(ctx, host, nil, func(cmds []runner.Command, _ map[string][]bindings.Route) {
		if s.console != nil {
			s.console.setCommands(cmds)
		}
		// Owners in runner order, so the first declarer of a duplicate
		// command keeps it on every reload.
		var order []string
		by := map[string][]map[string]any{}
		for _, c := range cmds {
			if by[c.Script] == nil {
				order = append(order, c.Script)
			}
			by[c.Script] = append(by[c.Script], c.Spec)
		}
		for owner := range owners {
			if by[owner] == nil {
				bot.Commands().Remove(owner)
				delete(owners, owner)
			}
		}
		for _, owner := range order {
			owners[owner] = true
			if err := bot.Commands().Set(owner, by[owner]); err != nil {
				s.log.Error("invalid command; fix the script", "script", owner, "error", err)
			}
		}
	})
	if err != nil {
		s.log.Error("runner", "error", err)
		return exitFatal
	}
	return s.serve(ctx, cancel, run, bot.Run, func(err error) { s.log.Error(err.Error()) })
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
