// kept_views: a script keeps an event's views (in a variable, in a timer
// callback) and strings read from it after its handler returned; they
// keep reading the event's data, and the kept message still answers to its
// methods, after the buffer the event came in has been reused.
let kept;
on("MESSAGE_CREATE", (msg) => {
  if (!kept) {
    const a = msg.author, c = msg.content;
    kept = {msg, author: a, roles: msg.member.roles, c};
    timer.after(1, () => log.info("timer " + a.username + " " + c + " " + msg.mentions[0].username));
    return;
  }
  const k = kept.msg;
  log.info([k.id, k.content, kept.author.username, kept.roles[1], k.author.bot, msg.id, msg.content, kept.c].join(" "));
  k.reply("to the kept one");
});
