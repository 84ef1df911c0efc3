// Package load runs benchmark workloads against bot processes connected to
// an in-process emulator: it starts and stops the processes, injects
// gateway events, times the bot's replies, and samples the processes' CPU
// time and resident memory from /proc. Figures are per run; the driver
// repeats runs and reports medians.
package load
