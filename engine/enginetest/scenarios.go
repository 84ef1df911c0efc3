package enginetest

import (
	"time"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
)

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
}

var _ = time.Second
var _ engine.Limits
