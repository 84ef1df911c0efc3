//go:build !nojs

package main

import (
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/js"
	"github.com/botrun/botrun/engine/watchdog"
)

func init() {
	engineFactories["js"] = func(l engine.Limits, dog *watchdog.Watchdog) engine.Engine {
		var opts []js.Option
		if dog != nil {
			opts = append(opts, js.WithWatchdog(dog))
		}
		return js.New(l, opts...)
	}
}
