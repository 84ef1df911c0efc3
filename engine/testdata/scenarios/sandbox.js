// Every path out of the sandbox must fail.
function attempt(name, f) {
  let v
  try { v = f() } catch (e) { v = undefined }
  if (v !== undefined && v !== null && v !== false) {
    log.warn("ESCAPED " + name)
  } else {
    log.info("blocked " + name)
  }
}
attempt("io", () => globalThis.process)
attempt("os.execute", () => require("child_process"))
attempt("os.getenv", () => process.env.HOME)
attempt("os.exit", () => globalThis.Deno || globalThis.os)
attempt("os.remove", () => require("fs"))
attempt("debug", () => Function("return this")().process)
attempt("package", () => globalThis.module || globalThis.exports || globalThis.__filename)
attempt("channel", () => globalThis.Java || globalThis.Packages || globalThis.goja)
attempt("loadfile", () => require("node:fs"))
attempt("dofile", () => globalThis.fetch || globalThis.XMLHttpRequest || globalThis.WebSocket)
attempt("collectgarbage", () => globalThis.gc)
attempt("getfenv", () => (function () { return this })().process)
attempt("string.dump", () => new Function("return typeof process === 'undefined' ? undefined : process")())
attempt("binary chunk", () => eval("require('fs')"))
attempt("string metatable", () => "".constructor.constructor("return this")().process)
attempt("require parent", () => require("../secret"))
attempt("require absolute", () => require("/etc/passwd"))
attempt("require dots", () => require("..secret"))
attempt("require missing", () => require("nope.nothing"))
attempt("go stack", () => globalThis.runtime || globalThis.os || globalThis.env)
attempt("deep load", () => eval("(".repeat(200000) + ")".repeat(200000)))
// The token and the environment are nowhere to be found.
const seen = new Set()
let found = false
function walk(v, depth) {
  if (depth > 5 || found) return
  if (typeof v === "string") {
    if (v.includes("SECRET-TOKEN")) found = true
    return
  }
  if ((typeof v !== "object" && typeof v !== "function") || v === null || seen.has(v)) return
  seen.add(v)
  for (const k of Object.getOwnPropertyNames(v)) {
    let x
    try { x = v[k] } catch (e) { continue }
    walk(k, depth + 1)
    walk(x, depth + 1)
  }
  walk(Object.getPrototypeOf(v), depth + 1)
}
walk(globalThis, 0)
if (found) log.warn("ESCAPED token"); else log.info("blocked token")
log.info("sandbox done")
