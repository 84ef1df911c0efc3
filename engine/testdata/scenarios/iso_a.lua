-- Isolation: globals and the string metatable belong to one script.
shared = "from a"
string.upper = function() return "hacked" end
getmetatable("").__index.lower = function() return "hacked" end
on("MESSAGE_CREATE", function(msg)
  log.info("a sees " .. ("x"):upper())
end)
