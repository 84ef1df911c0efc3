// Package e2e runs the gateway and REST clients against botrun's built-in
// emulator over real sockets on 127.0.0.1. It holds tests only; it is a
// separate package so the clients' own tests do not depend on the emulator.
package e2e
