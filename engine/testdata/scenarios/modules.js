// require resolves inside the bot directory, once per VM.
const util = require("./lib/util")
const again = require("./lib/util.js")
log.info("util", util.twice(21), util === again, util.loads())
let ok = true; try { require("./lib/escape") } catch (e) { ok = false }
log.info("escape", ok)
