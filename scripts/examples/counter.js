// counter: !count counts up; the count lives in the store, so it survives
// hot reloads and restarts.
on("MESSAGE_CREATE", async (msg) => {
  if (msg.content === "!count") {
    const n = ((await store.get("count")) ?? 0) + 1;
    await store.set("count", n);
    await msg.reply(`count: ${n}`);
  }
});
