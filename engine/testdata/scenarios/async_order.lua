-- A slow call in one handler does not delay the next event.
on("MESSAGE_CREATE", function(msg)
  if msg.content == "slow" then
    local r = discord.get("/wait?for=fast")
    discord.send("100", "after slow " .. tostring(r.slow))
  elseif msg.content == "fast" then
    discord.send("100", "fast")
  end
end)
