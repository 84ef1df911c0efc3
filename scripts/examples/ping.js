// ping: answers !ping with pong, and /echo with its text.
on("MESSAGE_CREATE", async (msg) => {
  if (msg.content === "!ping") await msg.reply("pong");
});

command({ name: "echo", description: "Say it back",
          options: [{ type: 3, name: "text", description: "what", required: true }] },
  async (ix) => { await ix.respond(ix.options.text); });
