package js

import (
	"strings"

	"github.com/dop251/goja"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
)

// stackPerFrame scales Limits.CallStack (counted in Lua frames) to goja
// frames: JS code nests more calls per logical step (callbacks, promise
// reactions, getters), so the default 200 becomes 1000.
const stackPerFrame = 5

func (s *script) maxStack() int { return s.lim.CallStack * stackPerFrame }

// setupVM builds the runtime: limits, deterministic sources, the error
// constructors the engine throws, the bindings, timers, console, config
// and the size-checked built-ins. Nothing of the host is reachable from
// it except through these functions.
func (s *script) setupVM() {
	vm := goja.New()
	s.vm = vm
	initASCII(vm)
	s.guard.vm = vm
	s.clock = newBudgetClock()
	s.whereFn = s.where
	if s.stack = vmStack(vm); s.stack != nil {
		s.stackBuf = make([]goja.Value, 0, lentStackSize)
	}
	s.syntaxErrs = map[*goja.Object]*engine.ScriptError{}
	vm.SetMaxCallStackSize(s.maxStack())
	if s.opts.now != nil {
		vm.SetTimeSource(goja.Now(s.opts.now))
	}
	if s.opts.rand != nil {
		vm.SetRandSource(goja.RandSource(s.opts.rand))
	}
	vm.SetPromiseRejectionTracker(s.trackRejection)
	s.errorCtor = vm.Get("Error")
	s.typeErrCtor = vm.Get("TypeError")
	s.rangeErrCtor = vm.Get("RangeError")
	s.timers = newTimerQueue(s)

	s.installBindings()
	s.installTimers()
	s.installConsole()
	s.installLimits()
	s.installStringMethods()
	s.installCompileGuards()
	vm.Set("config", s.toJS(s.bs.Config))
}

// installBindings exposes bindings.Globals(): dotted names become
// namespace objects (discord.send → discord = {send}).
func (s *script) installBindings() {
	global := s.vm.GlobalObject()
	for _, f := range bindings.Globals() {
		parts := strings.Split(f.Name, ".")
		target := global
		for _, ns := range parts[:len(parts)-1] {
			o, ok := target.Get(ns).(*goja.Object)
			if !ok {
				o = s.vm.NewObject()
				target.Set(ns, o)
			}
			target = o
		}
		target.Set(parts[len(parts)-1], s.bindingFunc(f, nil))
	}
	bot, ok := global.Get("bot").(*goja.Object)
	if !ok {
		bot = s.vm.NewObject()
		global.Set("bot", bot)
	}
	info := func() bindings.BotInfo {
		if s.bs.Host == nil || s.bs.Host.Bot == nil {
			return bindings.BotInfo{}
		}
		return s.bs.Host.Bot()
	}
	bot.DefineAccessorProperty("user", s.vm.ToValue(func(goja.FunctionCall) goja.Value {
		u := info().User
		if u == nil {
			return goja.Null()
		}
		return s.toJS(u)
	}), nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
	bot.DefineAccessorProperty("application_id", s.vm.ToValue(func(goja.FunctionCall) goja.Value {
		id := info().ApplicationID
		if id == "" {
			return goja.Null()
		}
		return s.vm.ToValue(id)
	}), nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
}

// newError constructs an error of ctor (Error, TypeError, ...) with msg.
func (s *script) newError(ctor goja.Value, msg string) *goja.Object {
	c, ok := goja.AssertConstructor(ctor)
	if !ok {
		return s.vm.NewTypeError(msg)
	}
	o, err := c(nil, s.vm.ToValue(msg))
	if err != nil {
		return s.vm.NewTypeError(msg)
	}
	return o
}
