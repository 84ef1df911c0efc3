package lua_test

import (
	"testing"

	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/enginetest"
	"github.com/botrun/botrun/engine/lua"
)

func newLua(l engine.Limits) engine.Engine { return lua.New(l) }

func TestConformance(t *testing.T) { enginetest.RunAll(t, newLua) }
