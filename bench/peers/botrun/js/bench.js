// bench: botrun's side of the peer benchmark (JavaScript). "!ping TAG" →
// "pong TAG"; "!done TAG" → "done TAG N", N being the messages seen since
// the previous "!done" (this one included); other messages are inspected
// and ignored.
let seen = 0;
on("MESSAGE_CREATE", async (msg) => {
  if (msg.author && msg.author.bot) return;
  seen++;
  const c = msg.content;
  if (c.startsWith("!ping ")) {
    await discord.send(msg.channel_id, "pong " + c.slice(6));
  } else if (c.startsWith("!done ")) {
    const n = seen;
    seen = 0;
    await discord.send(msg.channel_id, "done " + c.slice(6) + " " + n);
  }
});
