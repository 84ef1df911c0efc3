-- pcall, xpcall and coroutines around bindings that wait.
on("MESSAGE_CREATE", function(msg)
  local ok, r = pcall(function()
    local a = discord.get("/a")
    local ok2, r2 = pcall(discord.get, "/b")
    return a.path .. "+" .. r2.path
  end)
  log.info("pcall", ok, r)
  local ok3, e3 = pcall(function() discord.get("/fail/403") end)
  log.info("pcall error", ok3, e3.status)
  local ok4, v4 = xpcall(function() return discord.get("/c").path end, function(e) return "handled " .. tostring(e) end)
  log.info("xpcall", ok4, v4)
  local ok5, v5 = xpcall(function() error({code = 7}) end, function(e) return e.code end)
  log.info("xpcall table", ok5, v5)
  local co = coroutine.wrap(function(x)
    local y = coroutine.yield(x + 1)
    local r = discord.get("/d")
    coroutine.yield(r.path .. y)
    return "end"
  end)
  log.info("co", co(1), co("!"), co())
  local gen = coroutine.create(function() for i = 1, 3 do coroutine.yield(i) end end)
  local acc = {}
  while true do
    local ok6, v = coroutine.resume(gen)
    if not ok6 or v == nil then break end
    acc[#acc + 1] = v
  end
  log.info("gen", table.concat(acc, ","))
end)
