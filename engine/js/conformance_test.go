package js

import (
	"testing"

	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/enginetest"
)

// TestConformance runs the cross-language scenario table against the JS
// engine.
func TestConformance(t *testing.T) {
	enginetest.RunAll(t, func(l engine.Limits) engine.Engine { return New(l) })
}
