package bindings

import (
	"slices"
	"testing"
)

func TestGlobalsAreTheContract(t *testing.T) {
	want := []string{
		"on", "once", "command", "component", "modal", "autocomplete", "sleep",
		"discord.get", "discord.post", "discord.put", "discord.patch", "discord.delete", "discord.request", "discord.send",
		"store.get", "store.set", "store.delete",
		"log.debug", "log.info", "log.warn", "log.error",
		"timer.after", "timer.every", "timer.cancel",
		"bot.set_presence",
	}
	var got []string
	for _, f := range Globals() {
		if f.Fn == nil {
			t.Errorf("%s has no Fn", f.Name)
		}
		got = append(got, f.Name)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Globals() = %v\nwant %v", got, want)
	}
}

// Everything that waits on I/O or time must be Async, or it would block
// the script's VM goroutine; everything else must be Sync so that it runs
// in order with the script.
func TestAsyncFlags(t *testing.T) {
	async := map[string]bool{
		"sleep": true, "discord.get": true, "discord.post": true, "discord.put": true, "discord.patch": true,
		"discord.delete": true, "discord.request": true, "discord.send": true,
		"store.get": true, "store.set": true, "store.delete": true, "bot.set_presence": true,
	}
	for _, f := range Globals() {
		if f.Async != async[f.Name] {
			t.Errorf("%s: Async = %v, want %v", f.Name, f.Async, async[f.Name])
		}
	}
	for _, kind := range MethodKinds() {
		wantAsync := kind == KindMessage || kind == KindInteraction
		for name, f := range Methods(kind) {
			if f.Name != name {
				t.Errorf("%s.%s has Name %q", kind, name, f.Name)
			}
			if f.Async != wantAsync {
				t.Errorf("%s.%s: Async = %v, want %v", kind, name, f.Async, wantAsync)
			}
		}
	}
}

func TestMethodSets(t *testing.T) {
	want := map[string][]string{
		KindMessage:      {"delete", "edit", "react", "reply"},
		KindInteraction:  {"defer", "delete", "edit", "followup", "respond", "show_modal", "update"},
		KindSubscription: {"off"},
		KindTimer:        {"cancel"},
	}
	for kind, names := range want {
		var got []string
		for n := range Methods(kind) {
			got = append(got, n)
		}
		slices.Sort(got)
		if !slices.Equal(got, names) {
			t.Errorf("Methods(%q) = %v, want %v", kind, got, names)
		}
	}
	if Methods("nope") != nil {
		t.Error("Methods of an unknown kind is not nil")
	}
	m := Methods(KindTimer)
	delete(m, "cancel")
	if _, ok := Methods(KindTimer)["cancel"]; !ok {
		t.Error("Methods returned the shared map")
	}
}

func TestKindOf(t *testing.T) {
	for ev, want := range map[string]string{
		"MESSAGE_CREATE": KindMessage, "MESSAGE_UPDATE": KindMessage, "DM_MESSAGE_CREATE": KindMessage,
		"INTERACTION_CREATE": KindInteraction, "GUILD_MEMBER_ADD": "", "READY": "",
	} {
		if got := KindOf(ev); got != want {
			t.Errorf("KindOf(%s) = %q, want %q", ev, got, want)
		}
	}
}

func TestEffectiveCaps(t *testing.T) {
	s := &Script{Caps: Caps{MaxKey: 5}}
	got := s.EffectiveCaps()
	want := DefaultCaps
	want.MaxKey = 5
	if got != want {
		t.Errorf("EffectiveCaps = %+v, want %+v", got, want)
	}
	if (*Script)(nil).EffectiveCaps() != DefaultCaps {
		t.Error("nil script does not get DefaultCaps")
	}
}
