// Isolation: globals and built-in prototypes belong to one script.
globalThis.shared = "from a"
String.prototype.toUpperCase = function () { return "hacked" }
Object.prototype.polluted = "yes"
on("MESSAGE_CREATE", (msg) => {
  log.info("a sees " + "x".toUpperCase())
})
