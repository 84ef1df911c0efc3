package main

import (
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/watchdog"
)

// engineFactories holds one constructor per script language built into this
// binary, keyed by language ("lua", "js"). Each language registers itself
// from a file of its own, which a build tag leaves out (-tags nojs,
// -tags nolua): a bot written in one language can run on a binary that
// does not link, and so never initialises, the other language's runtime.
var engineFactories = map[string]func(engine.Limits, *watchdog.Watchdog) engine.Engine{}

// languages lists the languages in the order engines are handed to the
// runner.
var languages = []string{"lua", "js"}

// newEngines builds one engine per built-in language under the configured
// limits. dog, when not nil, interrupts running scripts when the heap nears
// the process memory limit.
func newEngines(l engine.Limits, dog *watchdog.Watchdog) map[string]engine.Engine {
	return newEnginesFrom(engineFactories, l, dog)
}

// newEnginesFrom is newEngines over the given set of languages.
func newEnginesFrom(factories map[string]func(engine.Limits, *watchdog.Watchdog) engine.Engine,
	l engine.Limits, dog *watchdog.Watchdog) map[string]engine.Engine {
	m := map[string]engine.Engine{}
	for lang, f := range factories {
		m[lang] = f(l, dog)
	}
	return m
}

func engineList(m map[string]engine.Engine) []engine.Engine {
	var list []engine.Engine
	for _, lang := range languages {
		if e, ok := m[lang]; ok {
			list = append(list, e)
		}
	}
	return list
}

// missingEngine explains a script whose language this binary was built
// without.
func missingEngine(lang string) string {
	return "botrun was built without " + langName(lang) + " (-tags no" + lang + "); rebuild without that tag to run " + lang + " scripts"
}

func langName(lang string) string {
	if lang == "js" {
		return "JavaScript"
	}
	return "Lua"
}

// builtPrefer is the twin language to run: prefer, unless this binary was
// built without it and with the other language.
func builtPrefer(prefer string) string {
	if _, ok := engineFactories[prefer]; ok {
		return prefer
	}
	for _, lang := range languages {
		if _, ok := engineFactories[lang]; ok {
			return lang
		}
	}
	return prefer
}
