-- botrun Lua prelude: runs once per VM before the script, with private
-- hooks from the engine. Everything it needs is captured in locals, so a
-- script that replaces globals cannot break it. Varargs are passed through
-- helper functions instead of tables: pcall is hot, tables are not free.
local hooks = ...
local MARK = hooks.mark
local resume = hooks.resume
local interrupted = hooks.interrupted
local find_module, store_module = hooks.find_module, hooks.store_module

local create, status, yield = coroutine.create, coroutine.status, coroutine.yield
local select, error, type, getmetatable = select, error, type, getmetatable
local remove = table.remove

-- A binding waiting for I/O yields MARK. Every construct that runs code in
-- a coroutine of its own (pcall, xpcall, coroutine.resume/wrap) passes
-- that yield outward to the engine and the result back in, so a wait
-- crosses them.

-- through finishes a coroutine.resume: MARK yields travel on, anything
-- else is the script's own business.
local function through(co, ...)
  local ok, first = ...
  if ok and first == MARK and status(co) == "suspended" then
    return through(co, resume(co, yield(MARK)))
  end
  return ...
end

function coroutine.resume(co, ...)
  return through(co, resume(co, ...))
end

local function unwrap(ok, ...)
  if not ok then error((...), 0) end
  return ...
end

function coroutine.wrap(f)
  local co = create(f)
  return function(...) return unwrap(through(co, resume(co, ...))) end
end

-- pcall runs its function on a worker coroutine; every yield inside passes
-- through it to the enclosing coroutine (as in Lua 5.2). Workers whose
-- function returned are kept for the next pcall: creating a coroutine
-- costs far more than the call.
local DONE = {}
local workers = {}

local function work(f, ...)
  return work(yield(DONE, f(...)))
end

local function settle(co, ...)
  local ok, tag = ...
  if ok and tag == DONE then
    if #workers < 8 then workers[#workers + 1] = co end
    return true, select(3, ...)
  end
  if not ok then return false, tag end
  return settle(co, resume(co, yield(select(2, ...))))
end

local function callable(f)
  if type(f) == "function" then return f end
  local mt = getmetatable(f)
  if type(mt) == "table" and mt.__call ~= nil then
    return function(...) return f(...) end
  end
  return nil
end

local function protect(f, ...)
  local co = remove(workers) or create(work)
  return settle(co, resume(co, f, ...))
end

-- A CPU budget or shutdown interrupt must not be swallowed.
local function checked(ok, ...)
  if not ok and interrupted() then error((...), 0) end
  return ok, ...
end

function pcall(f, ...)
  local fn = callable(f)
  if fn == nil then return false, "attempt to call a " .. type(f) .. " value" end
  return checked(protect(fn, ...))
end

local function handled(handler, ok, ...)
  if ok then return true, ... end
  if interrupted() then error((...), 0) end
  return false, handler((...))
end

function xpcall(f, handler, ...)
  local fn = callable(f)
  if fn == nil then return false, handler("attempt to call a " .. type(f) .. " value") end
  return handled(handler, protect(fn, ...))
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
