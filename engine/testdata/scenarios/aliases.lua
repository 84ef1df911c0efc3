-- A platform event reaches handlers of its other names, and "*" once.
on("GUILD_MEMBER_ADD", function(m) log.info("member " .. m.user.username) end)
on("*", function(name, d) log.info("star " .. name) end)
once("*", function(name) log.info("first " .. name) end)
