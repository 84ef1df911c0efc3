package main

import (
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/js"
	"github.com/botrun/botrun/engine/lua"
	"github.com/botrun/botrun/engine/watchdog"
)

// newEngines builds one engine per language under the configured limits.
// dog, when not nil, interrupts running scripts when the heap nears the
// process memory limit.
func newEngines(l engine.Limits, dog *watchdog.Watchdog) map[string]engine.Engine {
	var luaOpts []lua.Option
	var jsOpts []js.Option
	if dog != nil {
		luaOpts = append(luaOpts, lua.WithWatchdog(dog))
		jsOpts = append(jsOpts, js.WithWatchdog(dog))
	}
	return map[string]engine.Engine{
		"lua": lua.New(l, luaOpts...),
		"js":  js.New(l, jsOpts...),
	}
}

func engineList(m map[string]engine.Engine) []engine.Engine {
	return []engine.Engine{m["lua"], m["js"]}
}
