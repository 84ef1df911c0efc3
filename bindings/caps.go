package bindings

import "time"

// Caps are the limits bindings enforce on what a script passes them. They
// bound the input side of a script (value sizes, key lengths, timer rates);
// CPU, stack and queue limits are the engine's.
type Caps struct {
	// MaxPayload is the largest JSON encoding of a message, request body
	// or presence a script may pass. Default 8 MiB.
	MaxPayload int
	// MaxStoreValue is the largest JSON encoding of one stored value.
	// Default 1 MiB.
	MaxStoreValue int
	// MaxKey is the longest store key in bytes. Default 256.
	MaxKey int
	// MinInterval is the shortest timer.every interval; shorter ones are
	// rejected. Default 10ms.
	MinInterval time.Duration
}

// DefaultCaps are used for every zero field of Script.Caps.
var DefaultCaps = Caps{
	MaxPayload:    8 << 20,
	MaxStoreValue: 1 << 20,
	MaxKey:        256,
	MinInterval:   10 * time.Millisecond,
}

// caps returns the script's caps with defaults filled in.
func (s *Script) caps() Caps {
	c := DefaultCaps
	if s == nil {
		return c
	}
	if s.Caps.MaxPayload > 0 {
		c.MaxPayload = s.Caps.MaxPayload
	}
	if s.Caps.MaxStoreValue > 0 {
		c.MaxStoreValue = s.Caps.MaxStoreValue
	}
	if s.Caps.MaxKey > 0 {
		c.MaxKey = s.Caps.MaxKey
	}
	if s.Caps.MinInterval > 0 {
		c.MinInterval = s.Caps.MinInterval
	}
	return c
}

// EffectiveCaps returns the caps in force for s: Caps with every zero
// field taken from DefaultCaps. Engines use it for limits they apply
// themselves (the JS adapter clamps setInterval to MinInterval).
func (s *Script) EffectiveCaps() Caps { return s.caps() }
