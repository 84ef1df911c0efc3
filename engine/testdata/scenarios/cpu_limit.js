// A runaway handler is stopped; the script serves the next event.
on("MESSAGE_CREATE", async (msg) => {
  if (msg.content === "spin") {
    while (true) {}
  } else if (msg.content === "spin_pcall") {
    while (true) { try { while (true) {} } catch (e) {} }
  } else if (msg.content === "spin_resume") {
    let t = Date.now(); while (Date.now() - t < 60) {}
    await discord.get("/a")
    t = Date.now(); while (Date.now() - t < 500) {}
    await discord.send("100", "should not get here")
  } else if (msg.content === "wait") {
    await sleep(150)
    await discord.send("100", "waiting is free")
  } else {
    await discord.send("100", "ok " + msg.content)
  }
})
