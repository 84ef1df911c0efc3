// Package js is botrun's JavaScript engine: it runs each script in its own
// goja runtime, owned by one engine/loop goroutine, and exposes the script
// API of package bindings to it.
//
// What a script sees:
//   - the bindings table as globals (on, command, discord.send, store.get,
//     log.info, timer.after, sleep, bot.set_presence, ...), with async
//     bindings returning Promises settled on the script's loop;
//   - setTimeout/setInterval/clearTimeout/clearInterval, console (routed to
//     the script's logger), config, bot.user and bot.application_id;
//   - require() for CommonJS modules inside the bot directory or the
//     embedded stdlib, nothing else: no Node.js built-ins, no process, no
//     file system or environment.
//
// Event data reaches scripts as lazy read-only views over the jsondoc tree
// parsed once per event, with the methods of the event's kind (msg.reply).
// Limits: a CPU budget per handler invocation enforced with vm.Interrupt, a
// bounded call stack, and size-checked replacements for the built-ins that
// allocate in native code (repeat, padStart, padEnd, join, fill, Array(n)).
package js
