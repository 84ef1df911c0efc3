-- The store survives a restart of the script.
local n = store.get("count") or 0
log.info("count at load " .. n)
on("MESSAGE_CREATE", function(msg)
  if msg.content == "del" then
    store.delete("count")
    log.info("deleted", store.get("count"))
    return
  end
  n = n + 1
  store.set("count", n)
  store.set("doc", {list = {1, 2}, name = "x"})
  local doc = store.get("doc")
  discord.send("100", "count " .. store.get("count") .. " " .. doc.name .. #doc.list)
end)
