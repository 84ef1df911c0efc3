package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/runner"
	"github.com/botrun/botrun/engine/watchdog"
	"github.com/botrun/botrun/host/commands"
	"github.com/botrun/botrun/host/gateway"
	"github.com/botrun/botrun/host/rest"
	"github.com/botrun/botrun/host/store"
)

// drainTimeout bounds how long shutdown waits for running handlers.
const drainTimeout = 10 * time.Second

func cmdRun(ctx context.Context, a *app, args []string) int {
	fs := a.newFlagSet("run", "[DIR] [flags]", `  botrun run                      # the bot in the current directory
  botrun run mybot                # no DISCORD_TOKEN: built-in emulator and console
                                  # (platform = "uncord": no UNCORD_* credentials)
  DISCORD_TOKEN=... botrun run mybot --watch=false
  BOTRUN_API_URL=http://127.0.0.1:8765/api/v10 DISCORD_TOKEN=t botrun run mybot`)
	vals := registerSettings(fs)
	pos, code, ok := a.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 1 {
		return a.usageErr("run", "expected at most one bot directory, got %d", len(pos))
	}
	dir := "."
	if len(pos) == 1 {
		dir = pos[0]
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return a.usageErr("run", "%s is not a directory", dir)
	}
	cfg, err := resolveConfig(dir, fs, vals, a.getenv)
	if err != nil {
		fmt.Fprintf(a.stderr, "botrun run: %v\n", err)
		var ce *ConfigError
		if errors.As(err, &ce) {
			return exitFatal
		}
		return exitUsage
	}
	token := a.getenv(cfg.TokenEnv)
	// Every credential botrun reads is redacted from the output.
	secrets := []string{token, a.getenv("UNCORD_PASSWORD"), a.getenv("UNCORD_REFRESH_TOKEN")}
	log := newLogger(a.stderr, cfg.LogLevel, cfg.LogFormat, secrets...)
	s := &session{app: a, dir: dir, cfg: cfg, token: token, log: log}
	return s.run(ctx)
}

// session is one `botrun run`: everything wired together.
type session struct {
	app   *app
	dir   string
	cfg   Config
	token string
	log   *slog.Logger

	bot     botState
	gw      atomic.Pointer[gateway.Manager]
	console *console

	background sync.WaitGroup // goroutines that end with the session's context (the heap watchdog)
	// heapReserve is the size of the burst tuner's heap reserve (0: none),
	// which the heap watchdog leaves out; set before scripts load.
	heapReserve uint64
}

func (s *session) openStore() (*store.DB, int, bool) {
	path := s.cfg.Store
	if !filepath.IsAbs(path) {
		path = filepath.Join(s.dir, path)
	}
	db, err := store.Open(path)
	if err != nil {
		s.log.Error("opening the store", "path", path, "error", err)
		return nil, exitFatal, false
	}
	return db, 0, true
}

func (s *session) closeStore(db *store.DB) {
	if err := db.Close(); err != nil {
		s.log.Error("closing the store", "error", err)
	}
}

// newRunner builds the runner over host with both engines and loads every
// script. With heap_limit_mb set it also starts the heap watchdog, which
// runs until ctx ends.
func (s *session) newRunner(ctx context.Context, host *bindings.Host, onEvents func([]string),
	onCommands func([]runner.Command, map[string][]bindings.Route)) (*runner.Runner, error) {
	limits := s.cfg.Limits.Engine()
	var dog *watchdog.Watchdog
	if s.cfg.Limits.HeapLimitMB > 0 {
		// The soft limit (set by run) makes the GC work harder near it;
		// the watchdog interrupts scripts when the heap still reaches
		// 75% of it.
		dog = watchdog.New(watchdog.Config{Aside: s.heapReserve, Log: s.log})
		s.background.Add(1)
		go func() { defer s.background.Done(); dog.Run(ctx) }()
	}
	run, err := runner.New(runner.Config{
		Dir:          s.dir,
		Engines:      engineList(newEngines(limits, dog)),
		Host:         host,
		Log:          s.log,
		ScriptConfig: s.cfg.Scripts,
		Caps:         bindings.Caps{MaxPayload: limits.MaxPayload},
		Prefer:       builtPrefer(s.cfg.Prefer),
		NoEngine:     missingEngine,
		OnEvents:     onEvents,
		OnCommands:   onCommands,
	})
	if err != nil {
		return nil, err
	}
	if errs := run.Load(ctx); len(errs) > 0 {
		s.log.Warn(fmt.Sprintf("%d script(s) failed to load; the others run", len(errs)))
	}
	s.log.Info("scripts loaded", "count", len(run.Scripts()), "dir", s.dir)
	return run, nil
}

// watch hot-reloads when enabled; the channel closes when watching ended.
func (s *session) watch(ctx context.Context, run *runner.Runner) <-chan struct{} {
	done := make(chan struct{})
	if !s.cfg.Watch {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		if err := run.Watch(ctx); err != nil {
			s.log.Error("hot reload is off", "error", err)
		}
	}()
	return done
}

// drain stops delivering events and lets running handlers finish, up to
// drainTimeout.
func (s *session) drain(run *runner.Runner) {
	ctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	if err := run.Close(ctx); err != nil {
		s.log.Warn("some handlers did not finish in time", "error", err)
	}
}

func (s *session) run(parent context.Context) int {
	ctx, cancel := context.WithCancel(parent)
	defer s.background.Wait() // runs after cancel, below
	defer cancel()
	cfg := s.cfg
	// First, while the heap is small: the heap reserve must come from
	// memory the process never touched (see reserve.go), and the soft
	// memory limit before it, so that the tuner can make room for it.
	applySoftLimit(cfg.Limits.HeapLimitMB, s.app.getenv, "/", s.log)
	stopBurstHeap, reserve := startBurstHeap(cfg.BurstHeapMB, s.app.getenv, s.log)
	defer stopBurstHeap()
	s.heapReserve = reserve

	if cfg.Platform == "uncord" {
		return s.runUncord(ctx)
	}
	if s.token == "" {
		c, token, apiBase, err := startConsole(ctx, s)
		if err != nil {
			s.log.Error("starting the built-in emulator", "error", err)
			return exitFatal
		}
		s.console = c
		defer c.close()
		s.token, cfg.APIURL, cfg.GatewayURL = token, apiBase, ""
		s.log = newLogger(s.app.stderr, cfg.LogLevel, cfg.LogFormat, s.token, s.app.getenv("UNCORD_PASSWORD"), s.app.getenv("UNCORD_REFRESH_TOKEN"))
		s.log.Info("no token in " + cfg.TokenEnv + ": running on the built-in emulator; type a message, or /command key:value")
	}

	db, code, ok := s.openStore()
	if !ok {
		return code
	}
	defer s.closeStore(db)

	rc := rest.New(rest.Config{BaseURL: cfg.APIURL, Token: s.token, Logger: s.log, GlobalLimit: cfg.RESTGlobalLimit})
	plat := &platform{rest: rc, apiErr: restAPIError}
	cmdSync := newCommandSync(rc, s.log, cfg.DevGuild)
	defer cmdSync.Wait()
	resp := commands.NewResponder(noAuth{rc}, commands.ResponderOptions{Log: s.log})
	defer resp.Close()
	host := &bindings.Host{
		Platform:     plat,
		Interactions: responder{resp},
		Gateway:      presence{s},
		Store:        func(script string) (bindings.Store, error) { return db.Scope(script), nil },
		Bot:          s.bot.get,
	}

	var override uint64
	if cfg.Intents != nil {
		var err error
		override, err = gateway.ParseIntents(cfg.Intents)
		if err != nil {
			s.log.Error("intents in "+ConfigFile, "error", err)
			return exitFatal
		}
	}
	run, err := s.newRunner(ctx, host,
		func(names []string) {
			if gw := s.gw.Load(); gw != nil && cfg.Intents == nil {
				gw.SetIntents(gateway.IntentsFor(names))
			}
		},
		func(cmds []runner.Command, routes map[string][]bindings.Route) {
			cmdSync.Set(cmds, routes)
			if s.console != nil {
				s.console.setCommands(cmds)
			}
		})
	if err != nil {
		s.log.Error("runner", "error", err)
		return exitFatal
	}

	intents := override
	if cfg.Intents == nil {
		intents = gateway.IntentsFor(run.Events())
	}
	gw, err := gateway.New(gateway.Config{
		Token:              s.token,
		Bot:                func(ctx context.Context) (gateway.BotInfo, error) { return gatewayBot(ctx, rc) },
		GatewayURL:         cfg.GatewayURL,
		Intents:            intents,
		ShardCount:         cfg.ShardCount,
		Shards:             cfg.Shards,
		FreshSessions:      cfg.FreshSessions,
		DisableCompression: !cfg.Compress,
		Logger:             s.log,
		// The runner copies each event's data into its parsed document,
		// so the gateway need not copy every message first.
		TransientData: true,
		Dispatch: func(d gateway.Dispatch) {
			if d.Name == "READY" || d.Name == "INTERACTION_CREATE" {
				// these also go to the bot's state and the command router,
				// which may keep parts of them
				d.Data = bytes.Clone(d.Data)
			}
			ev := bindings.Event{Name: d.Name, Data: d.Data, Shard: d.Shard}
			switch d.Name {
			case "READY":
				s.bot.fromReady(d.Data)
				cmdSync.Ready(ctx, s.bot.get().ApplicationID)
			case "INTERACTION_CREATE":
				if s.console != nil {
					// Before the handler can answer, so its answer prints
					// with the command's name.
					s.console.noteInteraction(d.Data)
				}
				s.interaction(ctx, d.Data, ev, cmdSync, resp, run)
				if s.console != nil {
					s.console.dispatched(d.Name, d.Data)
				}
				return
			}
			run.Dispatch(ev)
			if s.console != nil {
				s.console.dispatched(d.Name, d.Data)
			}
		},
	})
	if err != nil {
		s.log.Error("gateway", "error", err)
		return exitFatal
	}
	s.gw.Store(gw)

	return s.serve(ctx, cancel, run, gw.Run, func(err error) {
		var fe *gateway.FatalError
		if errors.As(err, &fe) {
			s.log.Error(fe.Error())
		} else {
			s.log.Error("gateway stopped", "error", err)
		}
	})
}

// serve runs the platform session beside the file watcher and the console
// until the context ends, console input ends or the session stops, then
// shuts down in the order that loses nothing: handlers drain while the
// session is still up to carry their replies, then the session closes, then
// the watcher and the console. report logs a session failure, which makes
// the exit code fatal. cancel ends ctx.
func (s *session) serve(ctx context.Context, cancel context.CancelFunc, run *runner.Runner,
	platform func(context.Context) error, report func(error)) int {
	platformCtx, stopPlatform := context.WithCancel(ctx)
	defer stopPlatform()
	platformDone := make(chan error, 1)
	go func() { platformDone <- platform(platformCtx) }()

	watchDone := s.watch(ctx, run)
	if s.cfg.ReleaseStartupMemory {
		s.background.Add(1)
		go func() { defer s.background.Done(); releaseAfterReady(ctx, s.bot.readied(), releaseDelay, s.log) }()
	}
	var consoleDone <-chan struct{}
	if s.console != nil {
		consoleDone = s.console.start(ctx)
	}

	exit := exitOK
	select {
	case <-ctx.Done():
		s.log.Info("shutting down: finishing running handlers")
	case <-consoleDone:
		s.log.Info("end of console input: finishing running handlers")
	case err := <-platformDone:
		platformDone <- err // read again below, after the drain
		if err != nil {
			report(err)
			exit = exitFatal
		}
	}
	s.app.profiles.heapSnapshot() // what the running bot held, before scripts close
	s.drain(run)
	stopPlatform()
	<-platformDone
	cancel()
	<-watchDone
	if s.console != nil {
		s.console.flush()
	}
	return exit
}

// presence is bindings.Gateway over the session's gateway manager.
type presence struct{ s *session }

func (p presence) UpdatePresence(ctx context.Context, v map[string]any) error {
	gw := p.s.gw.Load()
	if gw == nil {
		return errors.New("not connected yet")
	}
	return gw.UpdatePresence(ctx, v)
}

// restAPIError turns a REST failure into what scripts see.
func restAPIError(err error, method, path string) error {
	var re *rest.Error
	if errors.As(err, &re) {
		return &bindings.APIError{Status: re.Status, Code: re.Code, Message: re.Message, Errors: re.Errors, Method: method, Path: path}
	}
	return plainAPIError(err, method, path)
}

// gatewayBot answers the gateway's GET /gateway/bot through the REST
// client (the gateway package does not import rest).
func gatewayBot(ctx context.Context, rc *rest.Client) (gateway.BotInfo, error) {
	gb, err := rc.GatewayBot(ctx)
	if err != nil {
		return gateway.BotInfo{}, fmt.Errorf("GET /gateway/bot: %w", err)
	}
	return gateway.BotInfo(gb), nil
}

// interaction hands an INTERACTION_CREATE to the script that owns it, with
// the responder watching the deadline; an interaction nobody owns, or whose
// handler fails, still gets a polite answer instead of a client-side
// "interaction failed".
func (s *session) interaction(ctx context.Context, data []byte, ev bindings.Event, cs *commandSync, resp *commands.Responder, run *runner.Runner) {
	ix, err := commands.ParseInteraction(data)
	if err != nil {
		s.log.Warn("malformed interaction", "error", err)
		return
	}
	owner, rt, ok := cs.route(data, run)
	if !ok {
		// A script may handle raw interactions with on("INTERACTION_CREATE").
		if slices.Contains(run.Events(), "INTERACTION_CREATE") {
			run.Dispatch(ev)
			return
		}
		go resp.Unavailable(ctx, ix)
		return
	}
	ev.Route = rt
	resp.Begin(ix, owner)
	onError := func(se *engine.ScriptError) {
		// Called on the script's goroutine: answer from our own.
		go resp.Fail(ctx, ix, se)
	}
	if !run.DispatchTo(owner, ev, onError) {
		go resp.Unavailable(ctx, ix)
	}
}
