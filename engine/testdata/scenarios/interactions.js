// Interaction methods beyond respond, message edits, timer.cancel.
command({ name: "slow", description: "takes a while" }, async (ix) => {
  await ix.defer()
  await ix.followup("part 1")
  await ix.edit("done")
  await ix.delete()
  log.info("slow done")
})
command({ name: "ask", description: "asks" }, async (ix) => {
  await ix.show_modal({ custom_id: "form", title: "Tell me", components: [
    { type: 1, components: [{ type: 4, custom_id: "name", label: "Name", style: 1 }] }] })
})
on("MESSAGE_CREATE", async (msg) => {
  const m = await msg.reply({ content: "x", allowed_mentions: { parse: [] } })
  await m.edit({ content: "y" })
  const t = timer.after(60000, () => log.info("never"))
  timer.cancel(t)
  const t2 = timer.after(60000, () => log.info("never"))
  t2.cancel()
  const t3 = setTimeout(() => log.info("never"), 60000)
  clearTimeout(t3)
  log.info("cancelled")
})
