// The store survives a restart of the script.
let n = 0
store.get("count").then((v) => { n = v || 0; log.info("count at load " + n) })
on("MESSAGE_CREATE", async (msg) => {
  if (msg.content === "del") {
    await store.delete("count")
    log.info("deleted", await store.get("count"))
    return
  }
  n = n + 1
  await store.set("count", n)
  await store.set("doc", { list: [1, 2], name: "x" })
  const doc = await store.get("doc")
  await discord.send("100", "count " + (await store.get("count")) + " " + doc.name + doc.list.length)
})
