package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/runner"
	"github.com/botrun/botrun/engine/watchdog"
)

func cmdCheck(ctx context.Context, a *app, args []string) int {
	fs := a.newFlagSet("check", "DIR", "  botrun check mybot\n  botrun check . && echo ok")
	pos, code, ok := a.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return a.usageErr("check", "expected exactly one bot directory, got %d arguments", len(pos))
	}
	return checkDir(ctx, a, pos[0], engineFactories)
}

// checkDir checks the bot in dir with the engines of the given languages.
func checkDir(ctx context.Context, a *app, dir string,
	factories map[string]func(engine.Limits, *watchdog.Watchdog) engine.Engine) int {
	nerr := 0
	report := func(err error) {
		nerr++
		fmt.Fprintln(a.stderr, err.Error())
	}
	cfg, err := loadConfigFile(dir)
	if err != nil {
		report(err)
	}
	engines := newEnginesFrom(factories, cfg.Limits.Engine(), nil)
	// Check both twins of a script written in both languages: whichever
	// runs, it must load. A binary built without one of the languages
	// runs the other twin, so only that one is checked.
	first, second := "lua", "js"
	if _, ok := engines["lua"]; !ok {
		first, second = "js", "lua"
	}
	units, problems, err := runner.DiscoverPrefer(dir, first)
	if err != nil {
		report(err)
		return exitFatal
	}
	if _, ok := engines[second]; ok {
		if more, _, err := runner.DiscoverPrefer(dir, second); err == nil {
			seen := map[string]bool{}
			for _, u := range units {
				seen[u.Path] = true
			}
			for _, u := range more {
				if !seen[u.Path] {
					units = append(units, u)
				}
			}
		}
	}
	for _, p := range problems {
		if de, ok := p.(*runner.DiscoveryError); ok && de.Twin {
			continue
		}
		if de, ok := p.(*runner.DiscoveryError); ok && de.Warning {
			fmt.Fprintf(a.stderr, "%s: warning: %s\n", filepath.Join(dir, de.Path), de.Message)
			continue
		}
		report(fmt.Errorf("%s", filepath.Join(dir, p.Error())))
	}
	for _, u := range units {
		eng, ok := engines[u.Lang]
		if !ok {
			report(fmt.Errorf("%s: %s", filepath.Join(dir, u.Path), missingEngine(u.Lang)))
			continue
		}
		for _, se := range eng.Check(ctx, u) {
			// Paths are relative to the bot directory; print them
			// relative to where the user ran botrun, for editors.
			c := *se
			c.Path = filepath.Join(dir, se.Path)
			report(&c)
		}
	}
	if nerr > 0 {
		fmt.Fprintf(a.stderr, "%d error(s) in %d script(s)\n", nerr, len(units))
		return exitFatal
	}
	fmt.Fprintf(a.stdout, "%d script(s) OK\n", len(units))
	return exitOK
}
