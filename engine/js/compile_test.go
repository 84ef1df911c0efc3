package js

import (
	"errors"
	"strings"
	"testing"

	"github.com/botrun/botrun/engine"
)

func TestCompileGuards(t *testing.T) {
	dir := writeBot(t, map[string]string{"cg.js": `
const deep = "(".repeat(100000) + ")".repeat(100000)
const sum = "x = " + "1 + ".repeat(20000) + "1"
const tries = {
  evalDeep: () => eval(deep),
  evalBig: () => eval(sum),
  functionDeep: () => Function(deep),
  newFunctionBig: () => new Function("a", sum),
  ctorProperty: () => (function () {}).constructor(deep),
  asyncCtor: () => Object.getPrototypeOf(async function () {}).constructor(deep),
  generatorCtor: () => Object.getPrototypeOf(function* () {}).constructor(deep),
}
for (const [name, f] of Object.entries(tries)) {
  try { f(); log.info(name, "ALLOWED") } catch (e) { log.info(name, e.name) }
}
const add = new Function("a", "b", "return a + b")
log.info("works", eval("1 + 2"), add(2, 3), Function("return 7")(), (() => {}) instanceof Function,
  Function.prototype.constructor === Function, typeof eval, eval(5), eval("` + "`${1 + `${2}`}`" + `"))
`})
	s := loadScript(t, dir, "cg.js", loadOpts{})
	for _, name := range []string{"evalDeep", "evalBig", "functionDeep", "newFunctionBig", "ctorProperty", "asyncCtor", "generatorCtor"} {
		s.log.wait(t, name+" RangeError")
	}
	s.log.wait(t, "works 3 5 7 true true function 5 12")
}

func TestDeeplyNestedModuleRefused(t *testing.T) {
	dir := writeBot(t, map[string]string{
		"deep.js": "x = " + strings.Repeat("[", 500) + strings.Repeat("]", 500) + "\n",
		// Brackets inside strings, comments and templates do not count.
		"fine.js": "const s = '" + strings.Repeat("(", 500) + "' // " + strings.Repeat("{", 500) + "\nconst t = `" + strings.Repeat("[", 500) + "${1}`\n/* " + strings.Repeat("(", 500) + " */ log.info('fine', t.length)\n",
	})
	_, err := tryLoad(t, dir, "deep.js", loadOpts{})
	var se *engine.ScriptError
	if !errors.As(err, &se) || !strings.Contains(se.Error(), "nested deeper than 400") {
		t.Fatalf("deep.js: %v", err)
	}
	s := loadScript(t, dir, "fine.js", loadOpts{})
	s.log.wait(t, "fine 501")
}
