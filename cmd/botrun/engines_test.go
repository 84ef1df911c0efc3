package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/watchdog"
)

func TestEnginesBuiltIn(t *testing.T) {
	m := newEngines(engine.DefaultLimits, nil)
	list := engineList(m)
	var langs []string
	for _, e := range list {
		langs = append(langs, e.Lang())
	}
	if got := strings.Join(langs, ","); got != "lua,js" {
		t.Errorf("engines of the default build = %s, want lua,js in that order", got)
	}
	if got := builtPrefer("js"); got != "js" {
		t.Errorf("builtPrefer(js) = %s in a build with both languages", got)
	}
}

// without returns the engine factories of this build minus lang, as a
// binary built with -tags no<lang> has them.
func without(lang string) map[string]func(engine.Limits, *watchdog.Watchdog) engine.Engine {
	m := map[string]func(engine.Limits, *watchdog.Watchdog) engine.Engine{}
	for l, f := range engineFactories {
		if l != lang {
			m[l] = f
		}
	}
	return m
}

func TestCheckWithoutALanguage(t *testing.T) {
	for _, tt := range []struct {
		missing, present string // languages; a twin pair exists in both
		want, notWant    string
	}{
		{"js", "lua", "only.js: botrun was built without JavaScript (-tags nojs)", "twin.js"},
		{"lua", "js", "only.lua: botrun was built without Lua (-tags nolua)", "twin.lua"},
	} {
		t.Run("no"+tt.missing, func(t *testing.T) {
			dir := t.TempDir()
			handler := map[string]string{
				"lua": `on("MESSAGE_CREATE", function(m) end)` + "\n",
				"js":  `on("MESSAGE_CREATE", (m) => {});` + "\n",
			}
			writeFiles(t, dir, map[string]string{
				"only." + tt.missing: handler[tt.missing],
				"twin." + tt.missing: handler[tt.missing],
				"twin." + tt.present: handler[tt.present],
				"ok." + tt.present:   handler[tt.present],
			})
			var out, errOut bytes.Buffer
			a := &app{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
			code := checkDir(context.Background(), a, dir, without(tt.missing))
			if code != exitFatal {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitFatal, out.String(), errOut.String())
			}
			if want := filepath.Join(dir, tt.want); !strings.Contains(errOut.String(), want) {
				t.Errorf("stderr does not say %q:\n%s", want, errOut.String())
			}
			if strings.Contains(errOut.String(), tt.notWant) {
				t.Errorf("the twin that does not run is reported:\n%s", errOut.String())
			}
			if !strings.Contains(errOut.String(), "1 error(s) in 3 script(s)") {
				t.Errorf("want one error in three scripts (only, twin, ok):\n%s", errOut.String())
			}
		})
	}
}
