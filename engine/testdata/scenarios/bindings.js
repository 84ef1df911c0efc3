// Every binding, through the recording host.
let sub
sub = on("MESSAGE_CREATE", async (msg) => {
  if (msg.content === "react") {
    await msg.react("👍")
  } else if (msg.content === "delete") {
    await msg.delete()
  } else if (msg.content === "rest") {
    const r = await discord.post("/channels/100/messages", { content: "p" })
    await discord.put("/x", { n: 1 })
    await discord.patch("/y", { flag: true, list: [] })
    await discord.delete("/z")
    await discord.request("GET", "/r")
    log.info("rest " + r.method + " " + r.body.content)
  } else if (msg.content === "send") {
    const m = await discord.send("100", { content: "hi", embeds: [{ title: "t" }] })
    await m.delete()
  } else if (msg.content === "presence") {
    await bot.set_presence({ status: "idle" })
  } else if (msg.content === "bot") {
    log.info("bot " + bot.user.username + " " + bot.application_id)
  } else if (msg.content === "config") {
    log.info("config " + config.greeting + " " + config.answer)
  } else if (msg.content === "timer") {
    timer.after(10, () => log.info("after fired"))
    let n = 0
    let t
    t = timer.every(10, () => {
      n = n + 1
      if (n === 3) { t.cancel(); log.info("every stopped at " + n) }
    })
  } else if (msg.content === "sleep") {
    await sleep(20)
    log.info("slept")
  } else if (msg.content === "print") {
    log.info("printed", 1, true, null)
  } else if (msg.content === "off") {
    sub.off()
    log.info("unsubscribed")
  } else if (msg.content === "data") {
    const n = Object.keys(msg.author).length
    const roles = []
    for (const r of msg.member.roles) roles.push(r)
    log.info("data " + n + " " + roles.join(","), msg.edited_timestamp, typeof msg.big)
    let ok = true; try { (function () { "use strict"; msg.content = "changed" })() } catch (e) { ok = false }
    log.info("read-only " + !ok)
  }
})
once("MESSAGE_CREATE", (msg) => log.info("once " + msg.id))
on("*", (name, data) => {
  if (name === "CUSTOM_EVENT") log.info("star " + data.x)
})
command({ name: "echo", description: "Say it back",
          options: [{ type: 3, name: "text", description: "what", required: true }] },
  (ix) => ix.respond(ix.options.text + " from " + ix.user.username))
component("btn:", (ix) => ix.update({ content: "clicked " + ix.custom_id }))
modal("form", (ix) => ix.respond({ content: "got " + ix.fields.name, ephemeral: true }))
autocomplete("echo", "text", (ix) => {
  return [{ name: "first " + ix.focused, value: "a" }]
})
