// Command botrun runs chat bots written as Lua or JavaScript scripts.
//
//	botrun run [DIR]                 run every script in DIR (default .)
//	botrun check DIR                 load every script without connecting
//	botrun emulator --addr HOST:PORT run the built-in Discord emulator alone (--platform uncord: the Uncord one)
//	botrun init DIR --lang lua|js    create a starter bot
//	botrun types DIR                 write editor type definitions
//	botrun version                   print the version
//
// This package is the only place where the platform side (host/...) and the
// script side (engine/..., bindings) meet: it loads the configuration, builds
// both and wires them together with small adapters.
package main
