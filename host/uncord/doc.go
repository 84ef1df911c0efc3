// Package uncord is botrun's Uncord dialect: everything that differs from
// Discord when a bot runs on an Uncord server, kept in one place so that
// engines, bindings and scripts never branch on the platform.
//
//   - Auth logs in with email and password or a rotating refresh token,
//     keeps the 15-minute access JWT fresh, persists every rotated refresh
//     token at once and stays within the auth endpoints' 5-per-5-minutes
//     limit.
//   - Client is the REST side over /api/v1 (Bearer JWT, {"data":…}
//     envelopes, typed *Error for {"error":{code,message}}, one retry after
//     a refresh on 401 TOKEN_EXPIRED, Retry-After on 429, the per-channel
//     message limit). Its Request/SendMessage/EditMessage/DeleteMessage/
//     AddReaction methods have the shape of the scripts' platform interface.
//   - Aliases and Normalize map Uncord's event names and payload quirks to
//     what Discord scripts expect (MEMBER_ADD is also GUILD_MEMBER_ADD,
//     percent-decoded reaction emoji, author.bot on the bot's own messages).
//   - Commands turns "/name key:value" text messages into interaction-shaped
//     events for the scripts' command handlers, since Uncord has no
//     application commands; Responder answers them with replies and edits.
//   - Backfill re-fetches messages over REST after every (re)connect,
//     because Uncord's resume never replays events from the offline period.
//   - GatewayDialect adapts the shared gateway session (host/gateway) to
//     Uncord's identify, op 9 and close-code rules.
//   - Bot wires all of the above for the CLI: one constructor, one Run, and
//     events delivered in order through a single callback.
//
// Auth's token, Backfill's delivery and the Responder's state are safe for
// concurrent use; each type's mutexes say what they guard.
package uncord
