-- kept_views: a script keeps an event's views (in a table, in a timer
-- callback) and strings read from it after its handler returned; they
-- keep reading the event's data, and the kept message still answers to its
-- methods, after the buffer the event came in has been reused.
local kept
on("MESSAGE_CREATE", function(msg)
  if not kept then
    kept = {msg = msg, author = msg.author, roles = msg.member.roles}
    local a, c = msg.author, msg.content
    kept.c = c
    timer.after(1, function()
      log.info("timer " .. a.username .. " " .. c .. " " .. msg.mentions[1].username)
    end)
    return
  end
  local k = kept.msg
  log.info(k.id .. " " .. k.content .. " " .. kept.author.username .. " " .. kept.roles[2] ..
    " " .. tostring(k.author.bot) .. " " .. msg.id .. " " .. msg.content .. " " .. kept.c)
  k:reply("to the kept one")
end)
