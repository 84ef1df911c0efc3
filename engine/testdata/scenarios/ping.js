// Event handling: read fields of the event, reply, edit the reply.
log.info("loaded " + config.greeting)
on("MESSAGE_CREATE", async (msg) => {
  if (msg.author.bot) return
  if (msg.content === "!ping") {
    const m = await msg.reply("pong")
    await m.edit("pong " + msg.mentions.length + " " + msg.mentions[0].username)
  }
})
