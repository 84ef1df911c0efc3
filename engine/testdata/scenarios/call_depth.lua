-- Call depth is bounded, also through pcall.
local function f(n) return f(n + 1) + 1 end
local function g() pcall(g) end
on("MESSAGE_CREATE", function(msg)
  if msg.content == "deep" then
    f(1)
  elseif msg.content == "deep_pcall" then
    g()
    discord.send("100", "survived pcall recursion")
  else
    discord.send("100", "ok " .. msg.content)
  end
end)
