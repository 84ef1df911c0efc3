-- Every path out of the sandbox must fail.
local function try(name, f)
  local ok, v = pcall(f)
  if ok and v ~= nil and v ~= false then
    log.warn("ESCAPED " .. name)
  else
    log.info("blocked " .. name)
  end
end
try("io", function() return io end)
try("os.execute", function() return os.execute("echo hi") end)
try("os.getenv", function() return os.getenv("HOME") end)
try("os.exit", function() return os.exit end)
try("os.remove", function() return os.remove end)
try("debug", function() return debug end)
try("package", function() return package end)
try("channel", function() return channel end)
try("loadfile", function() return loadfile("/etc/passwd") end)
try("dofile", function() return dofile("/etc/passwd") end)
try("collectgarbage", function() return collectgarbage end)
try("getfenv", function() return getfenv end)
try("string.dump", function() return string.dump(function() end) end)
try("binary chunk", function() return load("\27LuaQ\0\1\4\8\4\8\0") end)
try("string metatable", function() return getmetatable("").__index.dump end)
try("require parent", function() return require("../secret") end)
try("require absolute", function() return require("/etc/passwd") end)
try("require dots", function() return require("..secret") end)
try("require missing", function() return require("nope.nothing") end)
try("go stack", function() return _GOPHER_LUA_VERSION end)
try("deep load", function() return load(string.rep("do ", 200000) .. string.rep("end ", 200000)) end)
-- The token and the environment are nowhere to be found.
local seen, found = {}, false
local function walk(v, depth)
  if depth > 12 then return end
  local tv = type(v)
  if tv == "string" then
    if v:find("SECRET-TOKEN", 1, true) then found = true end
  elseif tv == "table" and not seen[v] then
    seen[v] = true
    for k, x in pairs(v) do walk(k, depth + 1) walk(x, depth + 1) end
    local mt = getmetatable(v)
    if type(mt) == "table" then walk(mt, depth + 1) end
  end
end
walk(_G, 0)
walk(getmetatable(""), 0)
if found then log.warn("ESCAPED token") else log.info("blocked token") end
log.info("sandbox done")
