-- Errors carry file and line; the script keeps serving after one.
on("MESSAGE_CREATE", function(msg)
  if msg.content == "boom" then
    error("boom")
  elseif msg.content == "api" then
    discord.delete("/fail/404")
  elseif msg.content == "caught" then
    local ok, err = pcall(discord.get, "/fail/404")
    log.info("caught", ok, err.status, err.code, err.message, tostring(err))
  elseif msg.content == "nilcall" then
    local t = nil
    t.x = 1
  else
    discord.send("100", "still here: " .. msg.content)
  end
end)
