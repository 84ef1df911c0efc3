// welcome: greets every new member. The channel comes from botrun.toml
// ([scripts.welcome] channel_id = "..."), else the guild's system channel.
on("GUILD_MEMBER_ADD", async (member) => {
  let channel = config.channel_id;
  if (!channel) {
    const guild = await discord.get(`/guilds/${member.guild_id}`);
    channel = guild.system_channel_id;
  }
  if (!channel) {
    log.warn("no channel to greet in; set channel_id under [scripts.welcome]");
    return;
  }
  await discord.send(channel, `Welcome, ${member.user.username}!`);
});
