// try/catch and generators around bindings that wait.
on("MESSAGE_CREATE", async (msg) => {
  let ok = true, r
  try {
    const a = await discord.get("/a")
    const r2 = await discord.get("/b").catch((e) => ({ path: "failed" }))
    r = a.path + "+" + r2.path
  } catch (e) { ok = false }
  log.info("pcall", ok, r)
  let ok3 = true, e3; try { await discord.get("/fail/403") } catch (e) { ok3 = false; e3 = e }
  log.info("pcall error", ok3, e3.status)
  let v4; try { v4 = (await discord.get("/c")).path } catch (e) { v4 = "handled " + e }
  log.info("xpcall", true, v4)
  let v5; try { throw { code: 7 } } catch (e) { v5 = e.code }
  log.info("xpcall table", false, v5)
  function* coro(x) {
    const y = yield x + 1
    const d = yield discord.get("/d")
    yield d.path + y
    return "end"
  }
  const co = coro(1)
  const c1 = co.next().value
  const pending = co.next("!").value
  const c2 = co.next(await pending).value, c3 = co.next().value
  log.info("co", c1, c2, c3)
  function* gen() { for (let i = 1; i <= 3; i++) yield i }
  log.info("gen", [...gen()].join(","))
})
