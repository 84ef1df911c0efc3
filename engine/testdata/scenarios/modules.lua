-- require resolves inside the bot directory, once per VM.
local util = require("lib.util")
local again = require("lib.util")
log.info("util", util.twice(21), util == again, util.loads())
local ok, err = pcall(require, "lib.escape")
log.info("escape", ok)
