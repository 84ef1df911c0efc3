-- Every binding, through the recording host.
local sub
sub = on("MESSAGE_CREATE", function(msg)
  if msg.content == "react" then
    msg:react("👍")
  elseif msg.content == "delete" then
    msg:delete()
  elseif msg.content == "rest" then
    local r = discord.post("/channels/100/messages", {content = "p"})
    discord.put("/x", {n = 1})
    discord.patch("/y", {flag = true, list = json.array()})
    discord.delete("/z")
    discord.request("GET", "/r")
    log.info("rest " .. r.method .. " " .. r.body.content)
  elseif msg.content == "send" then
    local m = discord.send("100", {content = "hi", embeds = {{title = "t"}}})
    m:delete()
  elseif msg.content == "presence" then
    bot.set_presence({status = "idle"})
  elseif msg.content == "bot" then
    log.info("bot " .. bot.user.username .. " " .. bot.application_id)
  elseif msg.content == "config" then
    log.info("config " .. config.greeting .. " " .. config.answer)
  elseif msg.content == "timer" then
    timer.after(10, function() log.info("after fired") end)
    local n = 0
    local t
    t = timer.every(10, function()
      n = n + 1
      if n == 3 then t:cancel() log.info("every stopped at " .. n) end
    end)
  elseif msg.content == "sleep" then
    sleep(20)
    log.info("slept")
  elseif msg.content == "print" then
    print("printed", 1, true, nil)
  elseif msg.content == "off" then
    sub:off()
    log.info("unsubscribed")
  elseif msg.content == "data" then
    local n = 0
    for k, v in pairs(msg.author) do n = n + 1 end
    local roles = {}
    for i, r in ipairs(msg.member.roles) do roles[#roles + 1] = r end
    log.info("data " .. n .. " " .. table.concat(roles, ",") .. " " .. tostring(msg.edited_timestamp) .. " " .. type(msg.big))
    local ok = pcall(function() msg.content = "changed" end)
    log.info("read-only " .. tostring(not ok))
  end
end)
once("MESSAGE_CREATE", function(msg) log.info("once " .. msg.id) end)
on("*", function(name, data)
  if name == "CUSTOM_EVENT" then log.info("star " .. data.x) end
end)
command({name = "echo", description = "Say it back",
         options = {{type = 3, name = "text", description = "what", required = true}}},
  function(ix) ix:respond(ix.options.text .. " from " .. ix.user.username) end)
component("btn:", function(ix) ix:update({content = "clicked " .. ix.custom_id}) end)
modal("form", function(ix) ix:respond({content = "got " .. ix.fields.name, ephemeral = true}) end)
autocomplete("echo", "text", function(ix)
  return {{name = "first " .. ix.focused, value = "a"}}
end)
