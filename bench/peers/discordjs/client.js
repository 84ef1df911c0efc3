// discord.js side of botrun's peer benchmark: a plain discord.js bot with
// the same behaviour as the botrun bench scripts, pointed at the emulator.
//
// Environment: BENCH_API is the emulator's base URL (http://127.0.0.1:PORT),
// BENCH_TOKEN the bot token it accepts. "!ping TAG" is answered with
// "pong TAG", "!done TAG" with "done TAG N", N being the messages seen since
// the previous "!done" (this one included); any other message has its
// content inspected and is otherwise ignored.
"use strict";
const { Client, GatewayIntentBits, Events } = require("discord.js");

const base = process.env.BENCH_API;
const token = process.env.BENCH_TOKEN;
if (!base || !token) {
  console.error("discordjs-peer: set BENCH_API (emulator base URL) and BENCH_TOKEN");
  process.exit(1);
}

const client = new Client({
  intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
  // discord.js reads the gateway URL from GET /gateway/bot, so pointing
  // REST at the emulator is enough.
  // BENCH_GLOBAL_RPS lifts the REST client's own global limit (50/s, as
  // Discord's default) so the latency workload measures the bot.
  rest: { api: base.replace(/\/$/, "") + "/api", globalRequestsPerSecond: parseInt(process.env.BENCH_GLOBAL_RPS, 10) || 50 },
});

client.once(Events.ClientReady, () => console.log("READY"));

let seen = 0;
client.on(Events.MessageCreate, (m) => {
  if (m.author && m.author.bot) return;
  seen++;
  const c = m.content;
  if (c.startsWith("!ping ")) {
    send(m, "pong " + c.slice(6));
  } else if (c.startsWith("!done ")) {
    const n = seen;
    seen = 0;
    send(m, "done " + c.slice(6) + " " + n);
  }
});

// BENCH_HANDLERS=n registers n-1 more messageCreate listeners that only
// count, the discord.js counterpart of botrun's idle scripts.
const extra = Math.max(0, (parseInt(process.env.BENCH_HANDLERS, 10) || 1) - 1);
const counts = new Array(extra).fill(0);
client.setMaxListeners(extra + 20);
for (let i = 0; i < extra; i++) client.on(Events.MessageCreate, () => { counts[i]++; });

function send(m, content) {
  m.channel.send(content).catch((err) => console.error("send:", err.message));
}

client.on(Events.Error, (err) => console.error("client error:", err.message));
process.on("SIGTERM", () => { client.destroy(); process.exit(0); });
process.on("SIGINT", () => { client.destroy(); process.exit(0); });

client.login(token).catch((err) => {
  console.error("login:", err.message);
  process.exit(1);
});
