package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/botrun/botrun/engine/runner"
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
	dir := pos[0]
	nerr := 0
	report := func(err error) {
		nerr++
		fmt.Fprintln(a.stderr, err.Error())
	}
	cfg, err := loadConfigFile(dir)
	if err != nil {
		report(err)
	}
	units, problems, err := runner.DiscoverPrefer(dir, "lua")
	if err != nil {
		report(err)
		return exitFatal
	}
	// Check both twins of a script written in both languages: whichever
	// runs, it must load.
	if jsUnits, _, err := runner.DiscoverPrefer(dir, "js"); err == nil {
		seen := map[string]bool{}
		for _, u := range units {
			seen[u.Path] = true
		}
		for _, u := range jsUnits {
			if !seen[u.Path] {
				units = append(units, u)
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
	engines := newEngines(cfg.Limits.Engine(), nil)
	for _, u := range units {
		eng := engines[u.Lang]
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
