package runner

import (
	"encoding/json"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/botrun/botrun/bindings"
)

// notifier batches changes to the subscribed events and declared commands
// and tells the host side only when they actually changed.
type notifier struct {
	r     *Runner
	delay time.Duration

	mu       sync.Mutex // guards timer, stopped, lastEvents, lastCmds; held while calling out so calls never overlap
	timer    *time.Timer
	stopped  bool
	sent     bool
	lastEvs  []string
	lastCmds []byte
}

func newNotifier(r *Runner, delay time.Duration) *notifier {
	return &notifier{r: r, delay: delay}
}

// schedule asks for a notification after the delay, restarting the wait.
func (n *notifier) schedule() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.stopped {
		return
	}
	if n.timer == nil {
		n.timer = time.AfterFunc(n.delay, n.flush)
		return
	}
	n.timer.Reset(n.delay)
}

// flush notifies now if anything changed since the last notification.
func (n *notifier) flush() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.stopped {
		return
	}
	evs := n.r.Events()
	cmds := n.r.Commands()
	// Where moves when lines are inserted above a declaration; that is not
	// a change the platform needs to hear about.
	type key struct {
		Script string
		Spec   map[string]any
	}
	keys := make([]key, len(cmds))
	for i, c := range cmds {
		keys[i] = key{c.Script, c.Spec}
	}
	routes := n.r.Routes()
	enc, _ := json.Marshal(struct {
		Cmds   []key
		Routes map[string][]bindings.Route
	}{keys, routes})
	if n.r.cfg.OnEvents != nil && (!n.sent || !slices.Equal(evs, n.lastEvs)) {
		n.r.cfg.OnEvents(evs)
	}
	if n.r.cfg.OnCommands != nil && (!n.sent || string(enc) != string(n.lastCmds)) {
		n.r.cfg.OnCommands(cmds, routes)
	}
	n.sent, n.lastEvs, n.lastCmds = true, evs, enc
}

func (n *notifier) stop() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.stopped = true
	if n.timer != nil {
		n.timer.Stop()
	}
}

func sortedKeys(set map[string]struct{}) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
