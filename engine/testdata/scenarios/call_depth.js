// Call depth is bounded, also through try/catch.
function f(n) { return f(n + 1) + 1 }
function g() { try { g() } catch (e) {} }
on("MESSAGE_CREATE", async (msg) => {
  if (msg.content === "deep") {
    f(1)
  } else if (msg.content === "deep_pcall") {
    // goja's stack limit cannot be caught (unlike Lua's pcall): it ends
    // the invocation it happens in, so the recursion runs as its own.
    setTimeout(g, 0)
    await discord.send("100", "survived pcall recursion")
  } else {
    await discord.send("100", "ok " + msg.content)
  }
})
