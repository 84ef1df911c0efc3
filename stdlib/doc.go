// Package stdlib embeds script-side library code and the editor type
// definitions (botrun.d.ts for JavaScript, LuaLS annotations for Lua) that
// `botrun types` and `botrun init` write into a bot directory.
package stdlib
