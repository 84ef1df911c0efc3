package bindings

import (
	"strings"
	"testing"
)

func TestOnOnceOff(t *testing.T) {
	f := newFixture(t)
	a, b := testCallback{"a"}, testCallback{"b"}
	h, err := f.call("on", "MESSAGE_CREATE", a)
	if err != nil {
		t.Fatal(err)
	}
	sub, ok := h.(*Object)
	if !ok || sub.Kind != KindSubscription {
		t.Fatalf("on returned %#v, want a subscription object", h)
	}
	if _, err := f.call("once", "MESSAGE_CREATE", b); err != nil {
		t.Fatal(err)
	}
	if _, err := f.call("on", "*", a); err != nil {
		t.Fatal(err)
	}
	if got := len(f.script.Reg.Handlers("MESSAGE_CREATE")); got != 3 {
		t.Fatalf("first dispatch reaches %d handlers, want 3 (on, once, *)", got)
	}
	if got := len(f.script.Reg.Handlers("MESSAGE_CREATE")); got != 2 {
		t.Fatalf("second dispatch reaches %d handlers, want 2 (once is gone)", got)
	}
	if _, err := f.method(sub, "off"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.method(sub, "off"); err != nil {
		t.Fatalf("second off: %v", err)
	}
	hs := f.script.Reg.Handlers("MESSAGE_CREATE")
	if len(hs) != 1 || hs[0].Event != "*" {
		t.Fatalf("after off: %v", hs)
	}
}

func TestCommandAndRoutes(t *testing.T) {
	f := newFixture(t)
	cb := testCallback{"cmd"}
	spec := map[string]any{"name": "ping", "description": "Replies pong"}
	if _, err := f.call("command", spec, cb); err != nil {
		t.Fatal(err)
	}
	cmds := f.script.Reg.Commands()
	if len(cmds) != 1 || cmds[0].Where != "test.lua:1" || cmds[0].Spec["name"] != "ping" {
		t.Fatalf("commands = %#v", cmds)
	}
	spec["name"] = "mutated"
	if cmds[0].Spec["name"] != "ping" {
		t.Error("registry kept the script's spec map instead of a copy")
	}
	_, err := f.call("command", map[string]any{"name": "ping", "description": "again"}, cb)
	if ue := usageErr(t, err); !strings.Contains(ue.Msg, "already declared at test.lua:1") {
		t.Errorf("duplicate command error = %q", ue.Msg)
	}
	if _, err := f.call("command", map[string]any{"name": "ping", "description": "d", "guild_ids": []any{"1"}}, cb); err != nil {
		t.Errorf("same name in another scope: %v", err)
	}
	if _, err := f.call("command", map[string]any{"name": "Report", "type": int64(3)}, cb); err != nil {
		t.Errorf("message command without description: %v", err)
	}

	if _, err := f.call("component", "vote:", cb); err != nil {
		t.Fatal(err)
	}
	if _, err := f.call("modal", "feedback", cb); err != nil {
		t.Fatal(err)
	}
	if _, err := f.call("autocomplete", "search", "query", cb); err != nil {
		t.Fatal(err)
	}
	for _, rt := range []Route{
		{Kind: "command", Key: "ping"},
		{Kind: "component", Key: "vote:yes"},
		{Kind: "modal", Key: "feedback"},
		{Kind: "autocomplete", Key: "search", Option: "query"},
	} {
		if _, ok := f.script.Reg.Lookup(rt); !ok {
			t.Errorf("no handler for %+v", rt)
		}
	}
}

func TestDeclarationUsageErrors(t *testing.T) {
	cb := testCallback{"x"}
	long := strings.Repeat("x", 101)
	tests := []struct {
		fn   string
		args []any
		want string
	}{
		{"on", nil, "expects 2 argument(s), got none"},
		{"on", []any{"READY"}, "second argument must be a function, got nil"},
		{"on", []any{int64(1), cb}, "first argument (event name) must be a string, got number"},
		{"on", []any{"", cb}, "must not be empty"},
		{"on", []any{"READY", "notfn"}, "second argument must be a function, got string"},
		{"on", []any{"READY", cb, "extra"}, "takes at most 2 argument(s), got 3"},
		{"once", []any{"READY", map[string]any{}}, "must be a function, got table/object"},
		{"command", []any{"ping", cb}, "first argument (command spec) must be a table/object, got string"},
		{"command", []any{map[string]any{"description": "d"}, cb}, "spec.name must be a non-empty string, got nil"},
		{"command", []any{map[string]any{"name": "p"}, cb}, `command "p": spec.description must be a non-empty string, got nil`},
		{"command", []any{map[string]any{"name": "p", "description": "d", "type": int64(9)}, cb}, "spec.type must be 1"},
		{"command", []any{map[string]any{"name": "p", "description": "d"}, nil}, "second argument must be a function, got nil"},
		{"component", []any{long, cb}, "longer than 100 characters"},
		{"modal", []any{true, cb}, "must be a string, got boolean"},
		{"autocomplete", []any{"search", cb}, "second argument (option name) must be a string, got function"},
	}
	for _, tt := range tests {
		t.Run(tt.fn+"/"+tt.want, func(t *testing.T) {
			f := newFixture(t)
			_, err := f.call(tt.fn, tt.args...)
			ue := usageErr(t, err)
			if ue.Func != tt.fn || !strings.Contains(ue.Msg, tt.want) {
				t.Errorf("%s error = %q, want it to contain %q", tt.fn, err, tt.want)
			}
		})
	}
}
