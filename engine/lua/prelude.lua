-- botrun Lua prelude: runs once per VM before the script, with private
-- hooks from the engine. Everything it needs is captured in locals, so a
-- script that replaces globals cannot break it.
local hooks = ...
local MARK = hooks.mark
local resume = hooks.resume
local interrupted = hooks.interrupted
local find_module, store_module = hooks.find_module, hooks.store_module

local create, status, yield = coroutine.create, coroutine.status, coroutine.yield
local select, unpack, error, type = select, unpack, error, type

local function pack(...) return { n = select("#", ...), ... } end

-- drive resumes co until it returns, errors or yields on its own account.
-- A binding waiting for I/O yields MARK: that yield is passed outward to
-- the engine and the result passed back in, so the wait crosses pcall,
-- xpcall and user coroutines.
local function drive(co, ...)
  local r = pack(resume(co, ...))
  while r[1] and r[2] == MARK and status(co) == "suspended" do
    r = pack(resume(co, yield(MARK)))
  end
  return r
end

local function callable(f)
  if type(f) == "function" then return f end
  return function(...) return f(...) end
end

function pcall(f, ...)
  if f == nil then error("bad argument #1 to 'pcall' (value expected)", 2) end
  local r = drive(create(callable(f)), ...)
  -- A CPU budget or shutdown interrupt must not be swallowed.
  if not r[1] and interrupted() then error(r[2], 0) end
  return unpack(r, 1, r.n)
end

function xpcall(f, handler, ...)
  local r = drive(create(callable(f)), ...)
  if r[1] then return unpack(r, 1, r.n) end
  if interrupted() then error(r[2], 0) end
  return false, handler(r[2])
end

function coroutine.resume(co, ...)
  local r = drive(co, ...)
  return unpack(r, 1, r.n)
end

function coroutine.wrap(f)
  local co = create(f)
  return function(...)
    local r = drive(co, ...)
    if not r[1] then error(r[2], 0) end
    return unpack(r, 2, r.n)
  end
end

function require(name)
  if type(name) ~= "string" then error("bad argument #1 to 'require' (string expected)", 2) end
  local found, value, key = find_module(name)
  if found then return value end
  local result = value(name)
  if result == nil then result = true end
  store_module(key, result)
  return result
end

-- The factory the engine uses for every async binding: raw returns
-- true, result or false, error (possibly after yielding MARK); errors
-- already carry the script position of the call.
return function(raw)
  return function(...)
    local ok, v = raw(...)
    if not ok then error(v, 0) end
    return v
  end
end
