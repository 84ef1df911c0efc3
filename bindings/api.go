package bindings

import (
	"maps"
	"slices"
)

// Method set names: the Kind of an [Object] and the argument of [Methods].
const (
	KindMessage      = "message"
	KindInteraction  = "interaction"
	KindSubscription = "subscription"
	KindTimer        = "timer"
)

// globals is the table both engines expose. Built once: Funcs are values
// without per-script state (that lives in Call.Script).
var globals = []Func{
	{Name: "on", Fn: bindOn},
	{Name: "once", Fn: bindOnce},
	{Name: "command", Fn: bindCommand},
	{Name: "component", Fn: bindComponent},
	{Name: "modal", Fn: bindModal},
	{Name: "autocomplete", Fn: bindAutocomplete},
	{Name: "sleep", Async: true, Fn: bindSleep},

	{Name: "discord.get", Async: true, Fn: discordVerb("GET", false)},
	{Name: "discord.post", Async: true, Fn: discordVerb("POST", true)},
	{Name: "discord.put", Async: true, Fn: discordVerb("PUT", true)},
	{Name: "discord.patch", Async: true, Fn: discordVerb("PATCH", true)},
	{Name: "discord.delete", Async: true, Fn: discordVerb("DELETE", false)},
	{Name: "discord.request", Async: true, Fn: discordRequest},
	{Name: "discord.send", Async: true, Fn: discordSend},

	{Name: "store.get", Async: true, Fn: storeGet},
	{Name: "store.set", Async: true, Fn: storeSet},
	{Name: "store.delete", Async: true, Fn: storeDelete},

	{Name: "log.debug", Fn: logAt("log.debug", levelDebug)},
	{Name: "log.info", Fn: logAt("log.info", levelInfo)},
	{Name: "log.warn", Fn: logAt("log.warn", levelWarn)},
	{Name: "log.error", Fn: logAt("log.error", levelError)},

	{Name: "timer.after", Fn: timerAfter},
	{Name: "timer.every", Fn: timerEvery},
	{Name: "timer.cancel", Fn: timerCancel},

	{Name: "bot.set_presence", Async: true, Fn: botSetPresence},
}

var methods = map[string]map[string]Func{
	KindMessage: {
		"reply":  {Name: "reply", Async: true, Fn: messageReply},
		"react":  {Name: "react", Async: true, Fn: messageReact},
		"edit":   {Name: "edit", Async: true, Fn: messageEdit},
		"delete": {Name: "delete", Async: true, Fn: messageDelete},
	},
	KindInteraction: {
		"respond":    {Name: "respond", Async: true, Fn: ixRespond},
		"defer":      {Name: "defer", Async: true, Fn: ixDefer},
		"followup":   {Name: "followup", Async: true, Fn: ixFollowup},
		"edit":       {Name: "edit", Async: true, Fn: ixEdit},
		"delete":     {Name: "delete", Async: true, Fn: ixDelete},
		"update":     {Name: "update", Async: true, Fn: ixUpdate},
		"show_modal": {Name: "show_modal", Async: true, Fn: ixShowModal},
	},
	KindSubscription: {
		"off": {Name: "off", Fn: subscriptionOff},
	},
	KindTimer: {
		"cancel": {Name: "cancel", Fn: timerObjectCancel},
	},
}

// eventKinds maps dispatch names to the method set their data gets. Names
// of every platform dialect go here (Discord and Uncord spell some events
// differently); an unlisted event is plain data.
var eventKinds = map[string]string{
	"MESSAGE_CREATE":     KindMessage,
	"MESSAGE_UPDATE":     KindMessage,
	"DM_MESSAGE_CREATE":  KindMessage, // Uncord
	"DM_MESSAGE_UPDATE":  KindMessage, // Uncord
	"INTERACTION_CREATE": KindInteraction,
}

// Globals returns every global binding with its dotted name ("discord.send").
// The slice is a fresh copy; the Funcs are shared and stateless.
func Globals() []Func { return slices.Clone(globals) }

// Methods returns the method set of an [Object] kind by method name, or nil
// for an unknown kind. The map is a fresh copy.
func Methods(kind string) map[string]Func {
	m, ok := methods[kind]
	if !ok {
		return nil
	}
	return maps.Clone(m)
}

// MethodKinds lists the kinds that have methods, sorted.
func MethodKinds() []string {
	return slices.Sorted(maps.Keys(methods))
}

// KindOf returns the method set the data of event name gets ("message",
// "interaction"), or "" for plain data.
func KindOf(eventName string) string { return eventKinds[eventName] }
