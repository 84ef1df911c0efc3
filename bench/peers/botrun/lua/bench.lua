-- bench: botrun's side of the peer benchmark (Lua). "!ping TAG" → "pong TAG";
-- "!done TAG" → "done TAG N", N being the messages seen since the previous
-- "!done" (this one included); other messages are inspected and ignored.
local seen = 0
on("MESSAGE_CREATE", function(msg)
  if msg.author and msg.author.bot then return end
  seen = seen + 1
  local c = msg.content
  if c:sub(1, 6) == "!ping " then
    discord.send(msg.channel_id, "pong " .. c:sub(7))
  elseif c:sub(1, 6) == "!done " then
    local n = seen
    seen = 0
    discord.send(msg.channel_id, "done " .. c:sub(7) .. " " .. n)
  end
end)
