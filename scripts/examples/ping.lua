-- ping: answers !ping with pong, and /echo with its text.
on("MESSAGE_CREATE", function(msg)
  if msg.content == "!ping" then msg:reply("pong") end
end)

command({ name = "echo", description = "Say it back",
          options = {{ type = 3, name = "text", description = "what", required = true }} },
  function(ix) ix:respond(ix.options.text) end)
