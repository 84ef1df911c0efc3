//go:build !nolua

package main

import (
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/lua"
	"github.com/botrun/botrun/engine/watchdog"
)

func init() {
	engineFactories["lua"] = func(l engine.Limits, dog *watchdog.Watchdog) engine.Engine {
		var opts []lua.Option
		if dog != nil {
			opts = append(opts, lua.WithWatchdog(dog))
		}
		return lua.New(l, opts...)
	}
}
