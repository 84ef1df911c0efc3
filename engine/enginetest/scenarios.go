package enginetest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
)

// slowCPU is the CPU budget of scenarios that do heavy but bounded work
// and do not test the budget itself.
const slowCPU = 4 * time.Second

// Scenarios is the conformance table both engines run. Error lines name
// the line of the failing statement; keep it the same in NAME.lua and
// NAME.js.
var Scenarios = []Scenario{
	{
		Name:      "ping",
		AfterLoad: []string{"log INFO loaded hello"},
		Steps: []Step{{
			Events: []bindings.Event{Message("1", "hello"), Message("2", "!ping")},
			Expect: []string{
				`send 100 {"content":"pong"} reply=2`,
				`edit 100 1001 {"content":"pong 1 bob"}`,
			},
		}},
		Never: []string{`send * reply=1`},
	},
	{
		// Deliver overwrites each event's buffer once it is queued.
		Name: "kept_views",
		Steps: []Step{
			{
				Events: []bindings.Event{Message("1", "keep me")},
				Expect: []string{"log INFO timer alice keep me bob"},
			},
			{
				Events: []bindings.Event{Message("2", "later")},
				Expect: []string{
					"log INFO 1 keep me alice 401 false 2 later keep me",
					`send 100 {"content":"to the kept one"} reply=1`,
				},
			},
		},
	},
	{
		Name: "async_order",
		Steps: []Step{{
			Events: []bindings.Event{Message("1", "slow"), Message("2", "fast")},
			Expect: []string{
				`send 100 {"content":"fast"}`,
				`send 100 {"content":"after slow true"}`,
			},
		}},
	},
	{
		Name: "errors",
		Steps: []Step{{
			Events: []bindings.Event{Message("1", "boom"), Message("2", "next")},
			Expect: []string{
				"error errors.{ext}:4:*boom",
				`send 100 {"content":"still here: next"}`,
			},
		}, {
			Events: []bindings.Event{Message("3", "api")},
			Expect: []string{
				"error errors.{ext}:6:*DELETE /fail/404: 404 Unknown Message (code 10008)",
			},
		}, {
			Events: []bindings.Event{Message("4", "after api")},
			Expect: []string{`send 100 {"content":"still here: after api"}`},
		}, {
			Events: []bindings.Event{Message("5", "caught")},
			Expect: []string{
				"log INFO caught false 404 10008 Unknown Message GET /fail/404: 404 Unknown Message (code 10008)",
			},
		}, {
			Events: []bindings.Event{Message("6", "nilcall"), Message("7", "alive")},
			Expect: []string{
				"error errors.{ext}:12:*",
				`send 100 {"content":"still here: alive"}`,
			},
		}},
	},
	{
		Name: "pcall_yield",
		Steps: []Step{{
			Events: []bindings.Event{Message("1", "go")},
			Expect: []string{
				"log INFO pcall true /a+/b",
				"log INFO pcall error false 403",
				"log INFO xpcall true /c",
				"log INFO xpcall table false 7",
				"log INFO co 2 /d! end",
				"log INFO gen 1,2,3",
			},
		}},
	},
	{
		Name:   "cpu_limit",
		Limits: engine.Limits{CPU: 100 * time.Millisecond},
		Steps: []Step{{
			Events: []bindings.Event{Message("1", "spin"), Message("2", "a")},
			Expect: []string{"error cpu_limit.{ext}:*CPU budget of 100ms", `send 100 {"content":"ok a"}`},
		}, {
			Events: []bindings.Event{Message("3", "spin_pcall"), Message("4", "b")},
			Expect: []string{"error cpu_limit.{ext}:*CPU budget of 100ms", `send 100 {"content":"ok b"}`},
		}, {
			// 60 ms before a wait and up to 500 ms after it: the budget
			// counts across the wait and stops the second spin 40 ms in;
			// the spin runs far past that so that a timer firing late on
			// a loaded machine still stops it before the send.
			Events: []bindings.Event{Message("5", "spin_resume"), Message("6", "c")},
			Expect: []string{"error cpu_limit.{ext}:*CPU budget of 100ms"},
		}, {
			Events: []bindings.Event{Message("7", "wait")},
			Expect: []string{`send 100 {"content":"waiting is free"}`},
		}},
		Never: []string{"*should not get here*"},
	},
	{
		Name:   "call_depth",
		Limits: engine.Limits{CallStack: 100},
		Steps: []Step{{
			Events: []bindings.Event{Message("1", "deep"), Message("2", "a")},
			Expect: []string{"error call_depth.{ext}:*", `send 100 {"content":"ok a"}`},
		}, {
			Events: []bindings.Event{Message("3", "deep_pcall")},
			Expect: []string{`send 100 {"content":"survived pcall recursion"}`},
		}, {
			Events: []bindings.Event{Message("4", "b")},
			Expect: []string{`send 100 {"content":"ok b"}`},
		}},
	},
	{
		Name: "memory",
		// The CPU budget is not what this scenario tests; under -race on
		// a loaded machine building the refused strings can take over 1s.
		Limits: engine.Limits{MaxString: 1 << 20, MaxPayload: 1 << 20, CPU: slowCPU},
		Steps: []Step{{
			Events: []bindings.Event{Message("1", "go")},
			Expect: []string{
				"log INFO rep false", "log INFO concat false", "log INFO format false",
				"log INFO payload false", "log INFO nested false", `send 100 {"content":"done"}`,
			},
		}},
	},
	{
		Name: "sandbox",
		// Walking every global is slow under -race; the budget is not
		// what this scenario tests.
		Limits: engine.Limits{LoadCPU: slowCPU},
		AfterLoad: []string{
			"log INFO blocked io", "log INFO blocked os.execute", "log INFO blocked os.getenv",
			"log INFO blocked os.exit", "log INFO blocked os.remove", "log INFO blocked debug",
			"log INFO blocked package", "log INFO blocked channel", "log INFO blocked loadfile",
			"log INFO blocked dofile", "log INFO blocked collectgarbage", "log INFO blocked getfenv",
			"log INFO blocked string.dump", "log INFO blocked binary chunk",
			"log INFO blocked string metatable", "log INFO blocked require parent",
			"log INFO blocked require absolute", "log INFO blocked require dots",
			"log INFO blocked require missing", "log INFO blocked go stack", "log INFO blocked deep load",
			"log INFO blocked token", "log INFO sandbox done",
		},
		Never: []string{"*ESCAPED*", "*SECRET-TOKEN*"},
	},
	{
		Name: "modules",
		Setup: func(t *testing.T, dir string) string {
			bot, outside := t.TempDir(), t.TempDir()
			CopyDir(t, dir, bot, "modules.lua", "modules.js", "lib/util.lua", "lib/util.js")
			if err := os.WriteFile(filepath.Join(outside, "escape.lua"), []byte(`return "outside"`), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(outside, "escape.js"), []byte(`module.exports = "outside";`), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, ext := range []string{"lua", "js"} {
				if err := os.Symlink(filepath.Join(outside, "escape."+ext), filepath.Join(bot, "lib", "escape."+ext)); err != nil {
					t.Fatal(err)
				}
			}
			return bot
		},
		AfterLoad: []string{"log INFO util 42 true 1", "log INFO escape false"},
	},
	{
		Name:      "store",
		AfterLoad: []string{"log INFO count at load 0"},
		Steps: []Step{{
			Events: []bindings.Event{Message("1", "x")},
			Expect: []string{"store.set count 1", `send 100 {"content":"count 1 x2"}`},
		}, {
			Restart: true,
			Expect:  []string{"log INFO count at load 1"},
		}, {
			Events: []bindings.Event{Message("2", "x")},
			Expect: []string{"store.set count 2", `send 100 {"content":"count 2 x2"}`},
		}, {
			Events: []bindings.Event{Message("3", "del")},
			Expect: []string{"store.delete count", "log INFO deleted nil"},
		}},
	},
	{
		Name: "iso_a",
		Also: []string{"iso_b"},
		Steps: []Step{{
			Events: []bindings.Event{Message("1", "x")},
			Expect: []string{"log INFO b sees nil Xy"},
		}},
	},
	{
		Name: "bindings",
		Steps: []Step{{
			Events: []bindings.Event{Message("0", "hello")},
			Expect: []string{"log INFO once 0"},
		}, {
			Events: []bindings.Event{Message("1", "react")},
			Expect: []string{"react 100 1 👍"},
		}, {
			Events: []bindings.Event{Message("2", "delete")},
			Expect: []string{"delete 100 2"},
		}, {
			Events: []bindings.Event{Message("3", "rest")},
			Expect: []string{
				`request POST /channels/100/messages {"content":"p"}`,
				`request PUT /x {"n":1}`,
				`request PATCH /y {"flag":true,"list":[]}`,
				`request DELETE /z null`,
				`request GET /r null`,
				"log INFO rest POST p",
			},
		}, {
			Events: []bindings.Event{Message("4", "send")},
			Expect: []string{`send 100 {"content":"hi","embeds":[{"title":"t"}]}`, "delete 100 *"},
		}, {
			Events: []bindings.Event{Message("5", "presence")},
			Expect: []string{`presence {*"status":"idle"*}`},
		}, {
			Events: []bindings.Event{Message("6", "bot"), Message("7", "config")},
			Expect: []string{"log INFO bot botrun 777", "log INFO config hello 42"},
		}, {
			Events: []bindings.Event{Message("8", "timer")},
			Expect: []string{"log INFO after fired", "log INFO every stopped at 3"},
		}, {
			Events: []bindings.Event{Message("9", "sleep")},
			Expect: []string{"log INFO slept"},
		}, {
			Events: []bindings.Event{Message("10", "print")},
			Expect: []string{"log INFO printed*1*true*nil"},
		}, {
			Events: []bindings.Event{Message("11", "data")},
			Expect: []string{"log INFO data 7 400,401 nil string", "log INFO read-only true"},
		}, {
			Events: []bindings.Event{{Name: "CUSTOM_EVENT", Data: json.RawMessage(`{"x":"y"}`)}},
			Expect: []string{"log INFO star y"},
		}, {
			Events: []bindings.Event{Interaction("20", "echo", map[string]string{"text": "hey"})},
			Expect: []string{`respond 20 4 {"content":"hey from alice"}`},
		}, {
			Events: []bindings.Event{InteractionEvent("21", 3, map[string]any{"custom_id": "btn:7", "component_type": 2},
				&bindings.Route{Kind: "component", Key: "btn:7"})},
			Expect: []string{`respond 21 7 {"content":"clicked btn:7"}`},
		}, {
			Events: []bindings.Event{InteractionEvent("22", 5, map[string]any{"custom_id": "form", "components": []any{
				map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "name", "value": "Ann"}}}}},
				&bindings.Route{Kind: "modal", Key: "form"})},
			Expect: []string{`respond 22 4 {"content":"got Ann","flags":64}`},
		}, {
			Events: []bindings.Event{InteractionEvent("23", 4, map[string]any{"id": "55", "name": "echo", "type": 1,
				"options": []any{map[string]any{"name": "text", "type": 3, "value": "he", "focused": true}}},
				&bindings.Route{Kind: "autocomplete", Key: "echo", Option: "text"})},
			Expect: []string{`respond 23 8 {"choices":[{"name":"first text","value":"a"}]}`},
		}, {
			Events: []bindings.Event{Message("30", "off"), Message("31", "react")},
			Expect: []string{"log INFO unsubscribed"},
		}},
		Never: []string{"log INFO once 1", "react 100 31 *"},
	},
	{
		Name: "interactions",
		Steps: []Step{{
			Events: []bindings.Event{Interaction("40", "slow", nil)},
			Expect: []string{
				"respond 40 5 *",
				`followup 40 {"content":"part 1"}`,
				`edit_original 40 {"content":"done"}`,
				"delete_original 40",
				"log INFO slow done",
			},
		}, {
			Events: []bindings.Event{Interaction("41", "ask", nil)},
			Expect: []string{`respond 41 9 {"components":[{"components":[{"custom_id":"name","label":"Name","style":1,"type":4}],"type":1}],"custom_id":"form","title":"Tell me"}`},
		}, {
			Events: []bindings.Event{Message("42", "hi")},
			Expect: []string{
				`send 100 {"allowed_mentions":{"parse":[]},"content":"x"} reply=42`,
				`edit 100 * {"content":"y"}`,
				"log INFO cancelled",
			},
		}},
		Never: []string{"log INFO never"},
	},
	{
		Name: "aliases",
		Steps: []Step{{
			Events: []bindings.Event{
				{Name: "MEMBER_ADD", Aliases: []string{"GUILD_MEMBER_ADD"}, Data: json.RawMessage(`{"user":{"id":"1","username":"ann"}}`)},
				{Name: "TYPING_START", Data: json.RawMessage(`{}`)},
			},
			Expect: []string{"log INFO member ann", "log INFO star MEMBER_ADD", "log INFO first MEMBER_ADD", "log INFO star TYPING_START"},
		}},
		Never: []string{"*star GUILD_MEMBER_ADD", "*first TYPING_START"},
	},
}
