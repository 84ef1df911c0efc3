// A slow call in one handler does not delay the next event.
on("MESSAGE_CREATE", async (msg) => {
  if (msg.content === "slow") {
    const r = await discord.get("/wait?for=fast")
    await discord.send("100", "after slow " + r.slow)
  } else if (msg.content === "fast") {
    await discord.send("100", "fast")
  }
})
