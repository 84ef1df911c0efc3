package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"sort"
	"sync"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine/runner"
	"github.com/botrun/botrun/host/commands"
	"github.com/botrun/botrun/host/rest"
)

// commandSync feeds the scripts' command declarations to the host's
// syncer, one owner per script, and starts syncing at READY when the
// application id is known.
type commandSync struct {
	syncer *commands.Syncer
	log    *slog.Logger

	mu      sync.Mutex // guards owners and started
	owners  map[string]bool
	started bool
}

func newCommandSync(api commands.API, log *slog.Logger, devGuild string) *commandSync {
	return &commandSync{
		syncer: commands.NewSyncer(api, commands.SyncOptions{DevGuild: devGuild, Log: log}),
		log:    log,
		owners: map[string]bool{},
	}
}

// Set replaces the declared commands and interaction routes of every
// script. Scripts are handed over in runner order, so when two declare the
// same command the first one keeps it, every time.
func (c *commandSync) Set(cmds []runner.Command, routes map[string][]bindings.Route) {
	var order []string
	by := map[string][]commands.Spec{}
	for _, cmd := range cmds {
		if _, seen := by[cmd.Script]; !seen {
			order = append(order, cmd.Script)
		}
		by[cmd.Script] = append(by[cmd.Script], commands.Spec{Where: cmd.Where, Data: cmd.Spec})
	}
	var routeOnly []string
	for owner := range routes {
		if _, ok := by[owner]; !ok {
			routeOnly = append(routeOnly, owner)
		}
	}
	sort.Strings(routeOnly)
	order = append(order, routeOnly...)

	c.mu.Lock()
	defer c.mu.Unlock()
	for owner := range c.owners {
		if _, ok := by[owner]; !ok && routes[owner] == nil {
			c.syncer.Remove(owner)
			delete(c.owners, owner)
		}
	}
	for _, owner := range order {
		c.owners[owner] = true
		if err := c.syncer.Set(owner, by[owner]); err != nil {
			c.log.Error("invalid slash command; fix the script", "script", owner, "error", err)
		}
		var h commands.Handlers
		for _, rt := range routes[owner] {
			switch rt.Kind {
			case "component":
				h.Components = append(h.Components, rt.Key)
			case "modal":
				h.Modals = append(h.Modals, rt.Key)
			case "autocomplete":
				h.Autocomplete = append(h.Autocomplete, commands.AutocompleteKey{Command: rt.Key, Option: rt.Option})
			}
		}
		if err := c.syncer.Router().SetHandlers(owner, h); err != nil {
			c.log.Error("interaction handler conflict; fix the script", "script", owner, "error", err)
		}
	}
}

// route decides which script gets an interaction: the host's router (by
// the command id learned at sync, so same-named guild and global commands
// never cross), falling back to the runner's lookup by name for commands
// not synced yet.
func (c *commandSync) route(data json.RawMessage, run *runner.Runner) (string, *bindings.Route, bool) {
	if t, ok := c.syncer.Router().Route(data); ok {
		return t.Owner, &bindings.Route{Kind: string(t.Kind), Key: t.Key, Option: t.Option}, true
	}
	rt := interactionRoute(data)
	if rt == nil {
		return "", nil, false
	}
	owner, ok := run.Owner(*rt)
	return owner, rt, ok
}

// Ready starts syncing for the application from READY (once).
func (c *commandSync) Ready(ctx context.Context, appID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if appID == "" || c.started {
		return
	}
	c.started = true
	c.syncer.Start(ctx, appID)
}

// Wait returns once the sync loop stopped (after its ctx is done).
func (c *commandSync) Wait() { c.syncer.Wait() }

// noAuth sends REST calls without the bot token: interaction callbacks and
// webhooks are authorised by the interaction token in the path.
type noAuth struct{ c *rest.Client }

func (n noAuth) Do(ctx context.Context, method, path string, body any) (json.RawMessage, error) {
	return n.c.DoWith(ctx, method, path, body, rest.WithoutAuth())
}

// responder is bindings.Interactions over the host's responder, which
// defers automatically when a handler is slow.
type responder struct{ r *commands.Responder }

func ixOf(ref bindings.InteractionRef) commands.Interaction {
	return commands.Interaction{ID: ref.ID, Token: ref.Token, ApplicationID: ref.ApplicationID, Type: ref.Type}
}

func (r responder) Respond(ctx context.Context, ix bindings.InteractionRef, kind bindings.ResponseKind, data map[string]any) (json.RawMessage, error) {
	if data != nil {
		data = messageBody(data)
	}
	return r.r.Respond(ctx, ixOf(ix), int(kind), data)
}

func (r responder) Followup(ctx context.Context, ix bindings.InteractionRef, msg map[string]any) (json.RawMessage, error) {
	return r.r.Followup(ctx, ixOf(ix), messageBody(msg))
}

func (r responder) EditOriginal(ctx context.Context, ix bindings.InteractionRef, msg map[string]any) (json.RawMessage, error) {
	return r.r.EditOriginal(ctx, ixOf(ix), messageBody(msg))
}

func (r responder) DeleteOriginal(ctx context.Context, ix bindings.InteractionRef) error {
	return r.r.DeleteOriginal(ctx, ixOf(ix))
}

var _ bindings.Interactions = responder{}
