// Package bench holds botrun's peer benchmark: the same workloads driven
// through botrun (Lua and JavaScript handlers), discordgo and discord.js
// against the built-in emulator. The driver is bench/cmd/botrun-bench; the
// load generation and measurement live in bench/load; the peers' own code
// lives in bench/peers, each in its own module or package manifest so the
// main module never depends on them.
package bench
