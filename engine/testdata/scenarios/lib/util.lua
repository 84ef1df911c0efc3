local M = {}
local count = (M.count or 0) + 1
function M.twice(x) return x * 2 end
function M.loads() return count end
return M
