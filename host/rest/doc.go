// Package rest is botrun's HTTP client for the Discord REST API (and
// Discord-style platforms): authentication, JSON and multipart bodies,
// typed errors, and rate limiting as Discord defines it.
//
// Rate limiting follows the response headers rather than hard-coded limits:
// requests are queued first-in first-out per route (method plus path with
// ids replaced, the major parameter kept), the remaining/reset state is
// shared per (X-RateLimit-Bucket, major parameter), a token bucket enforces
// the global per-second limit (interaction and webhook-token routes are
// exempt), and 429 responses pause a bucket or, when global, every request.
// Responses 401, 403 and 429 (except scope "shared") are counted in a
// sliding ten-minute window and the client refuses to send before Discord's
// invalid-request ban threshold is reached; after a 401 it stops sending at
// all, because the token is bad and every further call would count.
//
// Retries: 429 is retried for every method after the delay Discord names.
// 5xx answers and network errors are retried with jittered exponential
// backoff only for idempotent methods (GET, HEAD, PUT, DELETE); POST and
// PATCH are not, since a request that reached Discord may have taken effect.
//
// The token is only ever written into the Authorization header; it never
// appears in errors or log records.
package rest
