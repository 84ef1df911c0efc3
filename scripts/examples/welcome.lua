-- welcome: greets every new member. The channel comes from botrun.toml
-- ([scripts.welcome] channel_id = "..."), else the guild's system channel.
on("GUILD_MEMBER_ADD", function(member)
  local channel = config.channel_id
  if not channel then
    local guild = discord.get("/guilds/" .. member.guild_id)
    channel = guild.system_channel_id
  end
  if not channel then
    log.warn("no channel to greet in; set channel_id under [scripts.welcome]")
    return
  end
  discord.send(channel, "Welcome, " .. member.user.username .. "!")
end)
