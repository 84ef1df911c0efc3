-- Size-checked built-ins refuse huge results; big payloads are refused.
on("MESSAGE_CREATE", function(msg)
  local ok = pcall(string.rep, "x", 1e9)
  log.info("rep", ok)
  local parts = {}
  for i = 1, 20 do parts[i] = string.rep("x", 100000) end
  ok = pcall(table.concat, parts)
  log.info("concat", ok)
  ok = pcall(string.format, "%099999999d", 1)
  log.info("format", ok)
  local big = string.rep("y", 600000)
  ok = pcall(discord.send, "100", big .. big)
  log.info("payload", ok)
  local nested = {}
  local cur = nested
  for i = 1, 200 do cur.next = {} cur = cur.next end
  ok = pcall(discord.send, "100", {content = "x", embeds = {nested}})
  log.info("nested", ok)
  discord.send("100", "done")
end)
