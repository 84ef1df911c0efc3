// Package enginetest is the behavioural test suite both script engines
// must pass: the same scenarios, written once in Lua and once in
// JavaScript (engine/testdata/scenarios/NAME.lua and NAME.js), are loaded
// against a recording bindings.Host, fed events, and checked against one
// expectation table ([Scenarios]).
//
// The host parts are small in-memory implementations of the interfaces in
// bindings/host.go that write every call to a [Recorder] as one line of
// text, so expectations read like a transcript:
//
//	send 100 {"content":"pong","message_reference":...} reply=55
//	log INFO got ping
//	error ping.lua:3: boom
//
// Expectation lines may contain '*' (any text) and "{ext}" (the script's
// file extension), so one table serves both languages; scenario files of
// the two languages keep error-raising lines on the same line numbers.
package enginetest
