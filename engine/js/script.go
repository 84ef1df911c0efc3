package js

import (
	"context"
	"errors"
	"os"
	"slices"
	"sync"

	"github.com/dop251/goja"

	"github.com/botrun/botrun/bindings"
	"github.com/botrun/botrun/engine"
	"github.com/botrun/botrun/engine/loop"
)

// errClosing interrupts script code still running when Close gives up.
var errClosing = errors.New("script is being unloaded")

// script is one loaded generation of a JavaScript script. Everything that
// touches vm runs on the loop goroutine; the other fields say what guards
// them.
type script struct {
	unit engine.Unit
	bs   *bindings.Script
	lim  engine.Limits
	opts options
	root *os.Root // the bot directory; require reads through it only
	loop *loop.Loop

	// Owned by the loop goroutine.
	vm           *goja.Runtime
	modules      map[string]*module                   // require cache by path relative to root
	cur          *invocation                          // the invocation running now
	syntaxErrs   map[*goja.Object]*engine.ScriptError // SyntaxErrors thrown by require, by error value
	rejected     []*goja.Promise                      // rejected promises nobody handled yet
	errorCtor    goja.Value                           // the original Error constructor
	typeErrCtor  goja.Value
	rangeErrCtor goja.Value
	timers       *timerQueue
	methodSets   map[string]*methodSet // bindings.Methods by kind
	lastKind     string                // the kind methodSet answered last, and its set
	lastMethods  *methodSet
	lastEvent    string // the event name eventValue saw last, and its kind
	lastEvKind   string
	joining      []*goja.Object            // arrays being joined: cycle guard of the join replacement
	onError      func(*engine.ScriptError) // Check collects errors instead of logging
	check        bool                      // botrun check: bindings without a platform succeed with null

	guard    interruptGuard    // the CPU budget watchdog of the running invocation
	clock    *budgetClock      // the clock of the budgets
	whereFn  func() string     // s.where as a value, made once: a method value allocates each time
	frames   []goja.StackFrame // callSite's buffer; loop goroutine only
	spareInv *invocation       // a finished handler invocation to reuse; loop goroutine only
	argBuf   []goja.Value      // handler arguments, lent by takeArgs; loop goroutine only
	stack    *[]goja.Value     // goja's value stack field (see vmstack.go); nil: not lent
	stackBuf []goja.Value      // the stack lent to goja while the VM runs

	filesMu sync.Mutex // guards files: require appends, the runner reads
	files   []string

	unregister func() // from the heap watchdog, nil without one

	closeOnce sync.Once
	closeErr  error
}

func (s *script) Unit() engine.Unit            { return s.unit }
func (s *script) Registry() *bindings.Registry { return s.bs.Reg }

func (s *script) Files() []string {
	s.filesMu.Lock()
	defer s.filesMu.Unlock()
	return slices.Clone(s.files)
}

func (s *script) addFile(rel string) {
	s.filesMu.Lock()
	defer s.filesMu.Unlock()
	if !slices.Contains(s.files, rel) {
		s.files = append(s.files, rel)
	}
}

func (s *script) Start() { s.loop.Open() }

func (s *script) Deliver(d *engine.Delivery) error {
	return s.loop.SubmitDelivery(d)
}

// Close drains the loop, then releases the bot directory handle. Timers
// and async bindings stop with the loop's context.
func (s *script) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		s.closeErr = s.loop.Close(ctx)
		s.guard.stop()
		s.timers.wait()
		if s.unregister != nil {
			s.unregister()
		}
		s.root.Close()
	})
	return s.closeErr
}

// closeNow closes without waiting for pending operations: they are
// cancelled, running code is interrupted.
func (s *script) closeNow() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.Close(ctx)
}

// load runs the entry module's top level on the loop goroutine and waits
// for it.
func (s *script) load(ctx context.Context) error {
	s.loop.SetDeliver(s.dispatch)
	s.loop.Start()
	res := make(chan error, 1)
	if !s.loop.Post(func() { res <- s.runTopLevel() }) {
		return &engine.ScriptError{Kind: engine.KindLoad, Script: s.unit.Name, Path: s.unit.Path, Message: "script loop stopped before load"}
	}
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		s.vm.Interrupt(ctx.Err())
		s.closeNow()
		return &engine.ScriptError{Kind: engine.KindLoad, Script: s.unit.Name, Path: s.unit.Path,
			Message: "load cancelled: " + ctx.Err().Error(), Err: ctx.Err()}
	}
}

func (s *script) runTopLevel() error {
	inv := &invocation{budget: *loop.NewBudget(s.lim.LoadCPU, s.clock.now), what: "load"}
	var err error
	s.run(inv, func() (goja.Value, error) {
		_, err = s.requireEntry()
		return nil, nil
	})
	if err != nil {
		return s.toScriptError(engine.KindLoad, err)
	}
	return nil
}

// scriptEnv is the bindings.Env of a script: its loop.
type scriptEnv struct{ s *script }

func (e scriptEnv) Post(cb bindings.Callback, args ...any) bool {
	c, ok := cb.(*callback)
	if !ok || c.s != e.s {
		return false
	}
	return e.s.loop.Post(func() { e.s.invoke(c, args...) })
}

// PostTracked is Post with done called once cb has run (or at once when
// the post is refused), so that timer.every skips ticks behind a busy
// script instead of queueing them.
func (e scriptEnv) PostTracked(cb bindings.Callback, done func(), args ...any) bool {
	c, ok := cb.(*callback)
	if !ok || c.s != e.s {
		done()
		return false
	}
	if !e.s.loop.Post(func() {
		defer done()
		e.s.invoke(c, args...)
	}) {
		done()
		return false
	}
	return true
}

func (e scriptEnv) Acquire() (func(), error) { return e.s.loop.Acquire() }
