---@meta botrun
-- LuaLS annotations for botrun scripts written in Lua. `botrun types`
-- writes this file into a bot directory; the Lua language server then
-- completes and checks the script API. Nothing here runs: the API is
-- provided by botrun itself.
--
-- Bindings that do I/O (discord.*, store.*, sleep, reply, respond, ...)
-- yield the calling coroutine and return when the result arrives; other
-- events are handled meanwhile. Failures raise errors; pcall works.

---@alias Snowflake string A Discord id. Ids are always strings in botrun.

---@class User
---@field id Snowflake
---@field username string
---@field global_name? string
---@field avatar? string
---@field bot? boolean

---@class GuildMember
---@field user? User
---@field nick? string
---@field roles Snowflake[]
---@field joined_at string

---@class GuildMemberAdd: GuildMember GUILD_MEMBER_ADD data
---@field guild_id Snowflake

---@class Embed
---@field title? string
---@field description? string
---@field url? string
---@field color? integer
---@field fields? {name: string, value: string, inline?: boolean}[]

---A message to send: the platform's message object. In interaction
---responses `ephemeral = true` shows the reply to the invoking user only.
---@class MessageBody
---@field content? string
---@field embeds? Embed[]
---@field components? table[]
---@field allowed_mentions? table
---@field flags? integer
---@field ephemeral? boolean Interaction replies only.

---@alias ContentOrMessage string|MessageBody A string is shorthand for {content = s}.

---A message (MESSAGE_CREATE, MESSAGE_UPDATE data as sent, read-only) with methods.
---@class Message
---@field id Snowflake
---@field channel_id Snowflake
---@field guild_id? Snowflake
---@field author User
---@field member? GuildMember
---@field content string
---@field timestamp string
---@field mentions User[]
---@field embeds Embed[]
local Message = {}

---Reply in the same channel, referencing this message. Yields.
---@param content ContentOrMessage
---@return Message
function Message:reply(content) end

---Add a reaction: a unicode emoji, "name:id" or "<:name:id>". Yields.
---@param emoji string
function Message:react(emoji) end

---Edit this message (the bot's own messages only). Yields.
---@param content ContentOrMessage
---@return Message
function Message:edit(content) end

---Delete this message. Yields.
function Message:delete() end

---@class Choice
---@field name string
---@field value string|number

---@class Modal
---@field custom_id string
---@field title string
---@field components table[] Up to 5; text inputs may be listed bare.

---An interaction (INTERACTION_CREATE data as sent, read-only) with computed fields and methods.
---@class Interaction
---@field id Snowflake
---@field application_id Snowflake
---@field type integer 2 command, 3 component, 4 autocomplete, 5 modal submit
---@field token string
---@field guild_id? Snowflake
---@field channel_id? Snowflake
---@field member? GuildMember
---@field data? table
---@field message? Message
---@field user User The invoking user (member.user in guilds, user in DMs).
---@field command? string The invoked command's name.
---@field options? table<string, string|number|boolean> Option name → value for the invoked (sub)command.
---@field subcommand? string
---@field group? string
---@field focused? string Autocomplete: the option being typed.
---@field custom_id? string Components and modals.
---@field values? string[] Select menus: the chosen values.
---@field fields? table<string, string|string[]> Modal submits: input custom_id → value.
---@field target? User|Message User and message commands: what the command was used on.
---@field resolved? {users?: table<Snowflake, User>, members?: table<Snowflake, GuildMember>, roles?: table, channels?: table, attachments?: table}
local Interaction = {}

---Answer with a message; for autocomplete, pass the choices. Yields.
---@param content ContentOrMessage|Choice[]|{choices: Choice[]}
function Interaction:respond(content) end

---Acknowledge now, answer later with edit or followup. Yields.
---@param options? {ephemeral?: boolean}
function Interaction:defer(options) end

---Send another message after the first response. Yields.
---@param content ContentOrMessage
function Interaction:followup(content) end

---Edit the original response. Yields.
---@param content ContentOrMessage
function Interaction:edit(content) end

---Delete the original response. Yields.
function Interaction:delete() end

---Components and modal submits: replace the message the component is on. Yields.
---@param content ContentOrMessage
function Interaction:update(content) end

---Open a modal (not in answer to a modal submit or autocomplete). Yields.
---@param modal Modal
function Interaction:show_modal(modal) end

---@class Ready READY data as sent
---@field v integer
---@field user User
---@field guilds {id: Snowflake, unavailable?: boolean}[]
---@field session_id string
---@field application {id: Snowflake, flags?: integer}

---A handle returned by on and once.
---@class Subscription
local Subscription = {}

---Stop receiving the event. Calling it twice is harmless.
function Subscription:off() end

---A handle returned by timer.after and timer.every.
---@class Timer
local Timer = {}

---Stop the timer. Calling it twice, or after it fired, is harmless.
function Timer:cancel() end

---Platform failures raise this table; tostring gives a readable message.
---@class APIError
---@field status integer HTTP status, 0 when no answer arrived.
---@field code integer Platform error code, 0 if none.
---@field message string

---@class CommandSpec
---@field name string
---@field description? string Required for slash commands (type 1, the default).
---@field type? integer 1 slash (default), 2 user, 3 message
---@field options? table[]
---@field guild_ids? Snowflake[] Register only in these guilds (instantly).

---Subscribe to a dispatch ("MESSAGE_CREATE", "READY", ... or "*" for all, fn(name, data)).
---@param name string
---@param fn fun(data: any, data2?: any)
---@return Subscription
---@overload fun(name: "MESSAGE_CREATE"|"MESSAGE_UPDATE", fn: fun(msg: Message)): Subscription
---@overload fun(name: "INTERACTION_CREATE", fn: fun(ix: Interaction)): Subscription
---@overload fun(name: "GUILD_MEMBER_ADD", fn: fun(member: GuildMemberAdd)): Subscription
---@overload fun(name: "READY", fn: fun(ready: Ready)): Subscription
---@overload fun(name: "*", fn: fun(name: string, data: any)): Subscription
function on(name, fn) end

---Like on, but the handler runs at most once.
---@param name string
---@param fn fun(data: any)
---@return Subscription
function once(name, fn) end

---Declare an application command; botrun registers it and routes its interactions to fn.
---@param spec CommandSpec
---@param fn fun(ix: Interaction)
function command(spec, fn) end

---Handle components whose custom_id starts with prefix (longest prefix wins).
---@param prefix string
---@param fn fun(ix: Interaction)
function component(prefix, fn) end

---Handle submits of the modal with this custom_id.
---@param custom_id string
---@param fn fun(ix: Interaction)
function modal(custom_id, fn) end

---Handle autocomplete of one option of a command; answer with ix:respond(choices).
---@param command string
---@param option string
---@param fn fun(ix: Interaction)
function autocomplete(command, option, fn) end

---Wait ms milliseconds without blocking other events. Yields.
---@param ms number
function sleep(ms) end

---The platform's REST API. Paths are relative to the API base ("/channels/1/messages").
---Every function yields and returns the decoded JSON answer.
discord = {}

---@param path string
---@return any
function discord.get(path) end

---@param path string
---@param body? table
---@return any
function discord.post(path, body) end

---@param path string
---@param body? table
---@return any
function discord.put(path, body) end

---@param path string
---@param body? table
---@return any
function discord.patch(path, body) end

---@param path string
---@return any
function discord.delete(path) end

---@param method "GET"|"POST"|"PUT"|"PATCH"|"DELETE"
---@param path string
---@param body? table
---@return any
function discord.request(method, path, body) end

---Send a message to a channel.
---@param channel_id Snowflake
---@param content ContentOrMessage
---@return Message
function discord.send(channel_id, content) end

---This script's persistent key-value store of JSON values. Every function yields.
store = {}

---The stored value, or nil when the key is not set.
---@param key string
---@return any
function store.get(key) end

---Store a JSON-encodable value (at most 1 MiB encoded); nil deletes.
---@param key string
---@param value any
function store.set(key, value) end

---@param key string
function store.delete(key) end

---Log lines carry the script's name; arguments are joined with spaces, tables show as JSON.
log = {}

---@param ... any
function log.debug(...) end

---@param ... any
function log.info(...) end

---@param ... any
function log.warn(...) end

---@param ... any
function log.error(...) end

timer = {}

---Run fn once after ms milliseconds.
---@param ms number
---@param fn fun()
---@return Timer
function timer.after(ms, fn) end

---Run fn every ms milliseconds (at least 10).
---@param ms number
---@param fn fun()
---@return Timer
function timer.every(ms, fn) end

---Cancel a timer; nil is ignored.
---@param t Timer?
function timer.cancel(t) end

---The bot's identity (set once READY) and presence.
---@class Bot
---@field user? User The bot's user; nil before READY.
---@field application_id? Snowflake nil before READY.
bot = {}

---Set the bot's status and activities; missing fields take defaults. Yields.
---@param presence {status?: "online"|"idle"|"dnd"|"invisible"|"offline", activity?: {name: string, type?: integer, state?: string}, activities?: {name: string, type?: integer}[], afk?: boolean, since?: integer}
function bot.set_presence(presence) end

---This script's settings: [scripts.NAME] in botrun.toml.
---@type table<string, any>
config = {}

---JSON helpers (Lua only; JavaScript has JSON).
json = {}

---Encode a value as JSON text (object keys sorted).
---@param value any
---@return string
function json.encode(value) end

---Decode JSON text into a read-only value.
---@param text string
---@return any
function json.decode(text) end

---A deep, writable copy of a value (event data is read-only).
---@generic T
---@param value T
---@return T
function json.copy(value) end

---Mark a table to encode as a JSON array, even when empty.
---@param t? table
---@return table
function json.array(t) end

---Mark a table to encode as a JSON object, even when empty.
---@param t? table
---@return table
function json.object(t) end
