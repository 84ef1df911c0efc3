// Package uncord is a built-in Uncord server for tests and local
// development: the REST API under /api/v1 and the gateway at
// /api/v1/gateway, on 127.0.0.1, speaking the protocol of a real Uncord
// server including its quirks: {"data":…} and {"error":{code,message}}
// envelopes, 15-minute HS256 access tokens (with an injectable clock),
// single-use rotating refresh tokens (reuse → 401 TOKEN_REUSED), the auth
// limit of 5 per 5 minutes and the global per-IP limit with
// X-Ratelimit-* and Retry-After, {"op":1} heartbeats with a silent TCP drop
// after 1.5 intervals, op 9 answered by identify on the same socket, 4004
// for a bad token, resume that replays only frames the old socket was
// sent (never events from the offline period), UUID ids, edit and delete
// under /messages/{id}, and reactions whose emoji path segment is stored
// percent-encoded as sent.
//
// One deployment is one community: there are no guild ids. The world holds
// a bot account (the credentials Options names), a test user "tester",
// the channels #general, #welcome and #staff (the bot cannot view #staff).
//
// Tests drive it with InjectMessage and AddMember, observe the bot with
// Subscribe, and break it with DropConnections, CloseConnections,
// SendReconnect, ExpireTokens and InvalidateSessions.
package uncord
