-- bench: botrun's side of the peer benchmark (Lua). "!ping TAG" → "pong TAG",
-- "!done TAG" → "done TAG"; other messages are inspected and ignored.
on("MESSAGE_CREATE", function(msg)
  if msg.author and msg.author.bot then return end
  local c = msg.content
  if c:sub(1, 6) == "!ping " then
    discord.send(msg.channel_id, "pong " .. c:sub(7))
  elseif c:sub(1, 6) == "!done " then
    discord.send(msg.channel_id, "done " .. c:sub(7))
  end
end)
