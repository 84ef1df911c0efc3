// Size-checked built-ins refuse huge results; big payloads are refused.
on("MESSAGE_CREATE", async (msg) => {
  let ok = true; try { "x".repeat(1e9) } catch (e) { ok = false }
  log.info("rep", ok)
  const parts = []
  for (let i = 0; i < 20; i++) parts.push("x".repeat(100000))
  ok = true; try { parts.join("") } catch (e) { ok = false }
  log.info("concat", ok)
  ok = true; try { "1".padStart(99999999, "0") } catch (e) { ok = false }
  log.info("format", ok)
  const big = "y".repeat(600000)
  ok = true; try { await discord.send("100", big + big) } catch (e) { ok = false }
  log.info("payload", ok)
  const nested = {}
  let cur = nested
  for (let i = 0; i < 200; i++) { cur.next = {}; cur = cur.next }
  ok = true; try { await discord.send("100", { content: "x", embeds: [nested] }) } catch (e) { ok = false }
  log.info("nested", ok)
  await discord.send("100", "done")
})
