-- A runaway handler is stopped; the script serves the next event.
on("MESSAGE_CREATE", function(msg)
  if msg.content == "spin" then
    while true do end
  elseif msg.content == "spin_pcall" then
    while true do pcall(function() while true do end end) end
  elseif msg.content == "spin_resume" then
    local t = os.clock() while os.clock() - t < 0.06 do end
    discord.get("/a")
    t = os.clock() while os.clock() - t < 0.5 do end
    discord.send("100", "should not get here")
  elseif msg.content == "wait" then
    sleep(150)
    discord.send("100", "waiting is free")
  else
    discord.send("100", "ok " .. msg.content)
  end
end)
