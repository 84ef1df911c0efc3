-- idle: a script that only subscribes, for the idle-memory workload.
local seen = 0
on("MESSAGE_CREATE", function(msg) seen = seen + 1 end)
