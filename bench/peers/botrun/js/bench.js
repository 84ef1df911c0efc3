// bench: botrun's side of the peer benchmark (JavaScript). "!ping TAG" →
// "pong TAG", "!done TAG" → "done TAG"; other messages are inspected and
// ignored.
on("MESSAGE_CREATE", async (msg) => {
  if (msg.author && msg.author.bot) return;
  const c = msg.content;
  if (c.startsWith("!ping ")) {
    await discord.send(msg.channel_id, "pong " + c.slice(6));
  } else if (c.startsWith("!done ")) {
    await discord.send(msg.channel_id, "done " + c.slice(6));
  }
});
