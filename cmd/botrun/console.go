package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/botrun/botrun/engine/runner"
	"github.com/botrun/botrun/host/emulator"
)

// console is the local development loop used when no token (on Uncord: no
// credentials) is set: an in-process emulator of the platform the bot
// connects to like to the real server, lines typed on stdin injected as
// messages from the test user in #general (or, on Discord, as slash
// commands), and everything the bot does printed on stdout.
//
// When stdin ends (a pipe), the console waits until the bot has received
// every injected line, then signals the session to shut down; the session
// drains running handlers and the console prints the remaining output.
type console struct {
	emu    consoleEmulator
	in     io.Reader
	out    io.Writer
	prompt bool
	tester string
	// names for the greeting line
	botName, testerName string
	platform            string // for the greeting line: "built-in emulator" or "built-in Uncord emulator"

	mu      sync.Mutex // guards cmds, waiting, early, ready, ixNames, and writes to out
	cmds    map[string]map[string]any
	waiting map[string]bool // ids of injected messages and interactions the bot has not received yet
	early   map[string]bool // ids the bot received before their injection returned
	ready   bool
	ixNames map[string]string // interaction id → "/name" for printing responses
	changed chan struct{}     // closed and replaced when waiting or ready change

	stop    chan struct{}
	stopped chan struct{}
}

// consoleEmulator is what the console needs from the emulator under it,
// the Discord one or the Uncord one.
type consoleEmulator interface {
	// inject sends one typed line (not blank, not /help) as the test user
	// in #general and returns the id of the message or interaction the
	// bot will receive.
	inject(c *console, line string) (id string, err error)
	// close unsubscribes from the outputs and stops the emulator.
	close()
}

// newConsole builds the console over emu and starts printing outs, which
// conv turns into the Discord emulator's Output (the Uncord emulator's
// output kinds are a subset of it, with the same names).
func newConsole[O any](s *session, emu consoleEmulator, outs <-chan O, conv func(O) emulator.Output, tester, botName, testerName, platform string) *console {
	c := &console{
		emu: emu, in: s.app.stdin, out: s.app.stdout,
		tester: tester, botName: botName, testerName: testerName, platform: platform,
		cmds: map[string]map[string]any{}, waiting: map[string]bool{}, early: map[string]bool{}, ixNames: map[string]string{},
		changed: make(chan struct{}), stop: make(chan struct{}), stopped: make(chan struct{}),
	}
	if f, ok := s.app.stdin.(*os.File); ok {
		c.prompt = isatty.IsTerminal(f.Fd())
	}
	go printLoop(c, outs, conv)
	return c
}

// discordConsole is the console's side of the Discord emulator.
type discordConsole struct {
	emu     *emulator.Server
	general string
	unsub   func()
}

// startConsole starts the Discord emulator and a console over it; the
// session connects with c.token to c.apiBase.
func startConsole(ctx context.Context, s *session) (c *console, token, apiBase string, err error) {
	emu := emulator.New(emulator.Options{Logger: s.log.With("component", "emulator")})
	if err := emu.Start("127.0.0.1:0"); err != nil {
		return nil, "", "", fmt.Errorf("emulator: %w", err)
	}
	outs, unsub := emu.Subscribe()
	dc := &discordConsole{emu: emu, general: emu.ChannelID("general"), unsub: unsub}
	c = newConsole(s, dc, outs, func(o emulator.Output) emulator.Output { return o },
		emu.TestUser().ID, emu.BotUser().Username, emu.TestUser().Username, "built-in emulator")
	return c, emu.Token(), emu.APIBase(), nil
}

func (d *discordConsole) inject(c *console, line string) (string, error) {
	if strings.HasPrefix(line, "/") {
		return c.injectCommand(d.emu, line)
	}
	m, err := d.emu.InjectMessage(d.general, line)
	return m.ID, err
}

func (d *discordConsole) close() {
	d.unsub()
	d.emu.Close()
}

// setCommands records the declared commands, to type slash-command options.
func (c *console) setCommands(cmds []runner.Command) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cmds = map[string]map[string]any{}
	for _, cmd := range cmds {
		if name, ok := cmd.Spec["name"].(string); ok {
			c.cmds[name] = cmd.Spec
		}
	}
}

// noteInteraction remembers an interaction's command name for printing
// the bot's responses.
func (c *console) noteInteraction(data json.RawMessage) {
	var ix struct {
		ID   string `json:"id"`
		Data struct {
			Name string `json:"name"`
		} `json:"data"`
	}
	if json.Unmarshal(data, &ix) != nil || ix.Data.Name == "" {
		return
	}
	c.mu.Lock()
	c.ixNames[ix.ID] = "/" + ix.Data.Name
	c.mu.Unlock()
}

// dispatched is called after every event the bot received was handed to
// the scripts; it notes the ones the console injected.
func (c *console) dispatched(name string, data json.RawMessage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch name {
	case "READY":
		c.ready = true
	case "MESSAGE_CREATE", "INTERACTION_CREATE":
		var m struct {
			ID     string
			Author struct{ ID string } `json:"author"`
		}
		if json.Unmarshal(data, &m) != nil || m.ID == "" || (name == "MESSAGE_CREATE" && m.Author.ID != c.tester) {
			return
		}
		if c.waiting[m.ID] {
			delete(c.waiting, m.ID)
		} else {
			c.early[m.ID] = true
		}
	default:
		return
	}
	c.changedLocked()
}

// injected records the id of an injected line, which the bot may already
// have received.
func (c *console) injected(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.early[id] {
		delete(c.early, id)
		return
	}
	c.waiting[id] = true
}

// answered notes that the bot replied to message id: it received it, even
// when no event reached the scripts (Uncord answers a malformed text
// command itself, with a usage reply).
func (c *console) answered(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.waiting[id] {
		delete(c.waiting, id)
		c.changedLocked()
	}
}

func (c *console) changedLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// waitUntil waits for cond (checked under c.mu) or ctx.
func (c *console) waitUntil(ctx context.Context, cond func() bool) bool {
	for {
		c.mu.Lock()
		ok, ch := cond(), c.changed
		c.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		}
	}
}

// start reads stdin once the bot is connected. The returned channel is
// closed at end of input, after the bot received every injected line.
func (c *console) start(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	lines := make(chan string)
	go func() {
		// The read blocks in the OS; this goroutine ends at EOF (or with
		// the process). It never touches the console's state.
		defer close(lines)
		sc := bufio.NewScanner(c.in)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		if !c.waitUntil(ctx, func() bool { return c.ready }) {
			return
		}
		c.printf("connected to the %s as %s; type a message (you are %s in #general) or /command name:value (/help lists commands)\n",
			c.platform, c.botName, c.testerName)
		c.showPrompt()
		for {
			select {
			case <-ctx.Done():
				return
			case line, ok := <-lines:
				if !ok {
					// End of input: give the bot the chance to see
					// everything typed before shutting down.
					wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
					if !c.waitUntil(wctx, func() bool { return len(c.waiting) == 0 }) && ctx.Err() == nil {
						c.mu.Lock()
						n := len(c.waiting)
						c.mu.Unlock()
						c.printf("console: %d typed line(s) did not reach the bot within 10s\n", n)
					}
					cancel()
					close(done)
					return
				}
				c.handle(line)
				c.showPrompt()
			}
		}
	}()
	return done
}

func (c *console) showPrompt() {
	if c.prompt {
		c.printf("> ")
	}
}

// handle turns one typed line into a message or an interaction.
func (c *console) handle(line string) {
	if strings.TrimSpace(line) == "" {
		return
	}
	if strings.TrimSpace(line) == "/help" {
		c.printHelp()
		return
	}
	id, err := c.emu.inject(c, line)
	if err != nil {
		c.printf("console: %v\n", err)
		return
	}
	c.injected(id)
}

// injectCommand injects a typed slash command as an interaction.
func (c *console) injectCommand(emu *emulator.Server, line string) (string, error) {
	sc, err := parseSlash(line)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	spec, known := c.cmds[sc.Name]
	c.mu.Unlock()
	if !known {
		return "", fmt.Errorf("no script declares /%s (type /help for the list)", sc.Name)
	}
	data, err := sc.interactionData(spec)
	if err != nil {
		return "", err
	}
	is := emulator.InteractionSpec{Kind: emulator.KindCommand, Name: sc.Name}
	switch len(sc.Path) {
	case 1:
		is.Subcommand = sc.Path[0]
	case 2:
		is.Group, is.Subcommand = sc.Path[0], sc.Path[1]
	}
	for _, o := range leafOptions(data) {
		is.Options = append(is.Options, emulator.Option{Name: o["name"].(string), Value: o["value"], Type: o["type"].(int)})
	}
	p, err := emu.InjectInteraction(is)
	if err != nil {
		return "", err
	}
	return p.ID, nil
}

// leafOptions returns the innermost options of interaction data.
func leafOptions(data map[string]any) []map[string]any {
	opts, _ := data["options"].([]any)
	for len(opts) == 1 {
		m := opts[0].(map[string]any)
		if t, _ := m["type"].(int); t != 1 && t != 2 {
			break
		}
		opts, _ = m["options"].([]any)
	}
	out := make([]map[string]any, 0, len(opts))
	for _, o := range opts {
		out = append(out, o.(map[string]any))
	}
	return out
}

func (c *console) printHelp() {
	c.mu.Lock()
	names := make([]string, 0, len(c.cmds))
	for n := range c.cmds {
		names = append(names, n)
	}
	c.mu.Unlock()
	sort.Strings(names)
	if len(names) == 0 {
		c.printf("no slash commands declared; any other line is sent as a message in #general\n")
		return
	}
	c.printf("slash commands: /%s\nwrite options as name:value, quoting values with spaces: /echo text:\"hello there\"\n", strings.Join(names, ", /"))
}

func (c *console) printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.out, format, args...)
}

// printLoop prints the bot's output as the emulator reports it, until
// flush.
func printLoop[O any](c *console, out <-chan O, conv func(O) emulator.Output) {
	defer close(c.stopped)
	for {
		select {
		case o, ok := <-out:
			if !ok {
				out = nil // emulator closed; wait for stop
				continue
			}
			c.print(conv(o))
		case <-c.stop:
			for out != nil {
				select {
				case o, ok := <-out:
					if !ok {
						return
					}
					c.print(conv(o))
				default:
					return
				}
			}
			return
		}
	}
}

func (c *console) print(o emulator.Output) {
	if o.Kind == emulator.OutMessage && o.ReplyTo != "" {
		c.answered(o.ReplyTo)
	}
	line := c.format(o)
	if line == "" {
		return
	}
	c.printf("%s\n", line)
}

// format renders one output as "bot → #general: pong (reply to tester)".
func (c *console) format(o emulator.Output) string {
	where := "#" + o.ChannelName
	if o.ChannelName == "" {
		where = "channel " + o.ChannelID
	}
	c.mu.Lock()
	cmd := c.ixNames[o.InteractionID]
	c.mu.Unlock()
	if cmd == "" {
		cmd = "interaction"
	}
	content := o.Content
	if n := countJSONArray(o.Embeds); n > 0 {
		content += fmt.Sprintf(" [%d embed(s)]", n)
	}
	if n := countJSONArray(o.Components); n > 0 {
		content += fmt.Sprintf(" [%d component row(s)]", n)
	}
	eph := ""
	if o.Ephemeral {
		eph = " (ephemeral)"
	}
	switch string(o.Kind) {
	case "message":
		s := "bot → " + where + ": " + content
		if o.ReplyTo != "" {
			who := o.ReplyToAuthor
			if who == "" {
				who = "message " + o.ReplyTo
			}
			s += " (reply to " + who + ")"
		}
		return s
	case "edit":
		return "bot ✎ " + where + ": " + content + " (edited)"
	case "delete":
		return "bot ✗ " + where + ": deleted message " + o.MessageID
	case "reaction_add":
		return "bot → " + where + ": reacted " + o.Emoji
	case "reaction_remove":
		return "bot → " + where + ": removed reaction " + o.Emoji
	case "interaction_response":
		switch o.ResponseType {
		case 5, 6:
			return "bot → " + cmd + eph + ": (thinking…)"
		case 9:
			return "bot → " + cmd + ": opens a form"
		case 8:
			return "bot → " + cmd + ": autocomplete choices " + string(o.Data)
		}
		return "bot → " + cmd + eph + ": " + content
	case "followup":
		return "bot → " + cmd + " (follow-up)" + eph + ": " + content
	case "original_edit":
		return "bot → " + cmd + eph + ": " + content
	case "original_delete":
		return "bot ✗ " + cmd + ": deleted the response"
	case "commands":
		return fmt.Sprintf("bot registered %d slash command(s) (%s)", o.Count, o.Scope)
	case "presence":
		return ""
	}
	return o.String()
}

func countJSONArray(raw json.RawMessage) int {
	var a []json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &a) != nil {
		return 0
	}
	return len(a)
}

// flush prints what the bot did up to now and stops printing.
func (c *console) flush() {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	<-c.stopped
}

// close stops the emulator.
func (c *console) close() {
	c.flush()
	c.emu.close()
}
