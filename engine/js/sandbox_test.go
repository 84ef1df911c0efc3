package js

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGlobalsAreOnlyOurs lists what a script can see at the top of
// globalThis beyond the ECMAScript built-ins: exactly the script API.
func TestGlobalsAreOnlyOurs(t *testing.T) {
	dir := writeBot(t, map[string]string{"g.js": `
const builtins = new Set(["globalThis","Object","Function","Array","String","Number","BigInt","RegExp","Date",
  "Boolean","Proxy","Reflect","Error","AggregateError","TypeError","ReferenceError","SyntaxError","RangeError",
  "EvalError","URIError","GoError","eval","Math","JSON","ArrayBuffer","DataView","Uint8Array","Uint8ClampedArray",
  "Int8Array","Uint16Array","Int16Array","Uint32Array","Int32Array","Float32Array","Float64Array","BigInt64Array",
  "BigUint64Array","Symbol","WeakSet","WeakMap","Map","Set","Promise","isNaN","isFinite","parseFloat","parseInt",
  "decodeURI","decodeURIComponent","encodeURI","encodeURIComponent","escape","unescape","NaN","Infinity","undefined",
  "WeakRef","FinalizationRegistry","Iterator","AsyncFunction","Float16Array"])
const extra = Object.getOwnPropertyNames(globalThis).filter((n) => !builtins.has(n)).sort()
log.info("extra", extra.join(","))
log.info("host", typeof process, typeof require("./g.js"), typeof Function("return this")().process,
  typeof globalThis.os, typeof globalThis.env, typeof globalThis.Buffer, typeof globalThis.fetch)
`})
	s := loadScript(t, dir, "g.js", loadOpts{})
	s.log.wait(t, "extra autocomplete,bot,clearInterval,clearTimeout,command,component,config,console,discord,log,modal,on,once,setInterval,setTimeout,sleep,store,timer")
	s.log.wait(t, "host undefined object undefined undefined undefined undefined undefined")
}

func TestRequireCannotFollowSymlinkedDirOut(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "x.js"), []byte(`module.exports = "ESCAPED"`), 0o644)
	dir := writeBot(t, map[string]string{"greet/index.js": `
log.info("local", require("./helper").name, require("shared").name)
for (const p of ["./out/x", "../out/x", "out/x"]) {
  try { log.info("ESCAPED", require(p)) } catch (e) { log.info("refused", p) }
}
`, "greet/helper.js": `exports.name = "helper"`, "shared.js": `exports.name = "shared"`})
	for _, link := range []string{filepath.Join(dir, "out"), filepath.Join(dir, "greet", "out")} {
		if err := os.Symlink(outside, link); err != nil {
			t.Fatal(err)
		}
	}
	s := loadScript(t, dir, "greet/index.js", loadOpts{})
	s.log.wait(t, "local helper shared")
	s.log.wait(t, "refused out/x")
	for _, l := range s.log.infos() {
		if strings.Contains(l, "ESCAPED") {
			t.Fatal(l)
		}
	}
	if got := strings.Join(s.Files(), ","); got != "greet/index.js,greet/helper.js,shared.js" {
		t.Fatalf("Files() = %s", got)
	}
}
