package main

import (
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/js"
	"github.com/botrun/botrun/engine/lua"
)

// newEngines builds one engine per language under the configured limits.
func newEngines(l engine.Limits) map[string]engine.Engine {
	return map[string]engine.Engine{
		"lua": lua.New(l),
		"js":  js.New(l),
	}
}

func engineList(m map[string]engine.Engine) []engine.Engine {
	return []engine.Engine{m["lua"], m["js"]}
}
