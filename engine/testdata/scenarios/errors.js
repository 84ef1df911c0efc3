// Errors carry file and line; the script keeps serving after one.
on("MESSAGE_CREATE", async (msg) => {
  if (msg.content === "boom") {
    throw new Error("boom")
  } else if (msg.content === "api") {
    await discord.delete("/fail/404")
  } else if (msg.content === "caught") {
    let ok = true, err; try { await discord.get("/fail/404") } catch (e) { ok = false; err = e }
    log.info("caught", ok, err.status, err.code, err.message, String(err))
  } else if (msg.content === "nilcall") {
    const t = null
    t.x = 1
  } else {
    await discord.send("100", "still here: " + msg.content)
  }
})
