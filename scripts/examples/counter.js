// counter: !count counts up. The count lives in the store, so it survives
// hot reloads and restarts.
//
// Handlers interleave while they await (store.get and store.set are
// Promises), so two quick !count messages must not both read the old value:
// the count is kept in a variable, loaded from the store once, and saved by
// one writer at a time so an older value never overwrites a newer one.
let count; // undefined until loaded
let saving = false, dirty = false;

async function save() {
  if (saving) { dirty = true; return; }
  saving = true;
  do {
    dirty = false;
    await store.set("count", count);
  } while (dirty);
  saving = false;
}

on("MESSAGE_CREATE", async (msg) => {
  if (msg.content !== "!count") return;
  if (count === undefined) {
    const stored = (await store.get("count")) ?? 0;
    if (count === undefined) count = stored; // another handler may have loaded it meanwhile
  }
  count += 1;
  const n = count;
  await save();
  await msg.reply(`count: ${n}`);
});
