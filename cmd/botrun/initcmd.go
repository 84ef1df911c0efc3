package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

const starterToml = `# botrun configuration. Every key is optional; see docs/configuration.md.

# Name of the environment variable holding the bot token.
# token_env = "DISCORD_TOKEN"

# Register slash commands in this guild only: they appear instantly, which is
# what you want while developing.
# dev_guild = "123456789012345678"

# log_level = "info"

# [limits]
# cpu_ms = 1000

# Settings a script reads as config (here: the script ping).
[scripts.ping]
greeting = "pong"
`

const starterLua = `-- ping: answers !ping, and /echo with its text.
-- Save this file while botrun runs and the new version is live at once.
on("MESSAGE_CREATE", function(msg)
  if msg.content == "!ping" then msg:reply(config.greeting or "pong") end
end)

command({ name = "echo", description = "Say it back",
          options = {{ type = 3, name = "text", description = "what", required = true }} },
  function(ix) ix:respond(ix.options.text) end)
`

const starterJS = `// ping: answers !ping, and /echo with its text.
// Save this file while botrun runs and the new version is live at once.
on("MESSAGE_CREATE", async (msg) => {
  if (msg.content === "!ping") await msg.reply(config.greeting ?? "pong");
});

command({ name: "echo", description: "Say it back",
          options: [{ type: 3, name: "text", description: "what", required: true }] },
  async (ix) => { await ix.respond(ix.options.text); });
`

const starterGitignore = `# botrun's local data (the script store)
.botrun/
`

func cmdInit(ctx context.Context, a *app, args []string) int {
	fs := a.newFlagSet("init", "DIR [--lang lua|js]", "  botrun init mybot --lang lua\n  botrun init mybot --lang js && botrun run mybot")
	lang := fs.String("lang", "lua", "language of the starter script: lua or js")
	pos, code, ok := a.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return a.usageErr("init", "expected exactly one directory, got %d arguments", len(pos))
	}
	dir := pos[0]
	var entry, body string
	switch *lang {
	case "lua":
		entry, body = "ping.lua", starterLua
	case "js":
		entry, body = "ping.js", starterJS
	default:
		return a.usageErr("init", "--lang must be lua or js, not %q", *lang)
	}
	files := map[string]string{entry: body, ConfigFile: starterToml, ".gitignore": starterGitignore}
	for name := range files {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			fmt.Fprintf(a.stderr, "botrun init: %s already exists; not overwriting anything\n", filepath.Join(dir, name))
			return exitFatal
		} else if !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(a.stderr, "botrun init: %v\n", err)
			return exitFatal
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(a.stderr, "botrun init: %v\n", err)
		return exitFatal
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			fmt.Fprintf(a.stderr, "botrun init: %v\n", err)
			return exitFatal
		}
	}
	written, err := writeTypes(dir)
	if err != nil {
		fmt.Fprintf(a.stderr, "botrun init: editor types: %v\n", err)
		return exitFatal
	}
	fmt.Fprintf(a.stdout, "Created %s with %s, %s and editor types (%d files).\n\nNext:\n  botrun run %s       # local emulator and console, type !ping\n  DISCORD_TOKEN=... botrun run %s\n",
		dir, entry, ConfigFile, len(written), dir, dir)
	return exitOK
}
