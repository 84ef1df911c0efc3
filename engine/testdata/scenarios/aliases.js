// A platform event reaches handlers of its other names, and "*" once.
on("GUILD_MEMBER_ADD", (m) => log.info("member " + m.user.username))
on("*", (name, d) => log.info("star " + name))
once("*", (name) => log.info("first " + name))
