// Package emulator is a built-in, in-process server that speaks Discord's
// gateway v10 and REST v10 (and v9) on 127.0.0.1.
//
// It owns a small deterministic world (guilds, channels, roles, a test user
// and the bot user), the gateway sessions connected to it, and the REST
// routes bots call. Three users rely on it: botrun's own gateway and REST
// clients are tested against it; `botrun run` without a token drives it from
// an interactive console (InjectMessage, InjectInteraction, Subscribe); and
// `botrun emulator` serves it alone so any Discord library can log in.
//
// Programs outside the process drive a standalone emulator through a small
// control API under /_emulator/ (control.go): inject messages and
// interactions, stream what the bot does as NDJSON, read the request log.
//
// Faithfulness matters more than breadth: what it models (close codes,
// intents, resume replay, rate-limit headers, interaction deadlines, error
// shapes) behaves as Discord documents it, and what it does not model
// answers with Discord's 404 shape rather than pretending. Tests can inject
// faults (dropped connections, missing ACKs, op 7/9, chosen close codes,
// failing or slow REST responses) through methods on *Server.
package emulator
