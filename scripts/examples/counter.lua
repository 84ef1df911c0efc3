-- counter: !count counts up; the count lives in the store, so it survives
-- hot reloads and restarts.
on("MESSAGE_CREATE", function(msg)
  if msg.content == "!count" then
    local n = (store.get("count") or 0) + 1
    store.set("count", n)
    msg:reply("count: " .. n)
  end
end)
