-- counter: !count counts up. The count lives in the store, so it survives
-- hot reloads and restarts.
--
-- Handlers interleave while they wait (store.get and store.set yield), so
-- two quick !count messages must not both read the old value: the count is
-- kept in a variable, loaded from the store once, and saved by one writer
-- at a time so an older value never overwrites a newer one.
local count -- nil until loaded
local saving, dirty = false, false

local function save()
  if saving then dirty = true; return end
  saving = true
  repeat
    dirty = false
    store.set("count", count)
  until not dirty
  saving = false
end

on("MESSAGE_CREATE", function(msg)
  if msg.content ~= "!count" then return end
  if count == nil then
    local stored = store.get("count") or 0
    if count == nil then count = stored end -- another handler may have loaded it meanwhile
  end
  count = count + 1
  local n = count
  save()
  msg:reply("count: " .. n)
end)
