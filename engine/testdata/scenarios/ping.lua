-- Event handling: read fields of the event, reply, edit the reply.
log.info("loaded " .. config.greeting)
on("MESSAGE_CREATE", function(msg)
  if msg.author.bot then return end
  if msg.content == "!ping" then
    local m = msg:reply("pong")
    m:edit("pong " .. #msg.mentions .. " " .. msg.mentions[1].username)
  end
end)
