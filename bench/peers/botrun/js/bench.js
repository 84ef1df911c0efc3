// bench: botrun's side of the peer benchmark (JavaScript). "!ping TAG" →
// "pong TAG"; "!done TAG" → "done TAG N", N being the messages seen since
// the previous "!done" (this one included); other messages are inspected
// and ignored. Like the discord.js peer's listener, the handler is a plain
// function that sends without waiting for the result (a failed send is
// logged by botrun).
let seen = 0;
on("MESSAGE_CREATE", (msg) => {
  if (msg.author && msg.author.bot) return;
  seen++;
  const c = msg.content;
  if (c.startsWith("!ping ")) {
    discord.send(msg.channel_id, "pong " + c.slice(6));
  } else if (c.startsWith("!done ")) {
    const n = seen;
    seen = 0;
    discord.send(msg.channel_id, "done " + c.slice(6) + " " + n);
  }
});
