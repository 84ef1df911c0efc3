package main

import (
	"fmt"
	"time"

	"github.com/botrun/botrun/host/emulator"
	uncordemu "github.com/botrun/botrun/host/emulator/uncord"
)

// uncordEmulatorOptions are the Uncord emulator's settings for interactive
// use: the real server's 60 requests per minute per IP is tight for a bot
// and a person typing at it, so the global limit is ten times that.
func uncordEmulatorOptions(o uncordemu.Options) uncordemu.Options {
	o.GlobalLimit = uncordemu.RateLimit{Limit: 600, Window: time.Minute}
	return o
}

// uncordConsole is the console's side of the Uncord emulator. Uncord has
// no application commands, so every line, "/echo text:hi" included, is a
// message; the dialect's text commands turn the command ones into
// interactions.
type uncordConsole struct {
	emu     *uncordemu.Server
	general string
	unsub   func()
}

// uncordLogin is what the session needs to log in to the console's
// emulator.
type uncordLogin struct{ baseURL, email, password string }

func startUncordConsole(s *session) (*console, uncordLogin, error) {
	emu := uncordemu.New(uncordEmulatorOptions(uncordemu.Options{Logger: s.log.With("component", "emulator")}))
	if err := emu.Start("127.0.0.1:0"); err != nil {
		return nil, uncordLogin{}, fmt.Errorf("uncord emulator: %w", err)
	}
	outs, unsub := emu.Subscribe()
	uc := &uncordConsole{emu: emu, general: emu.ChannelID("general"), unsub: unsub}
	c := newConsole(s, uc, outs, uncordOutput, emu.TestUser().ID, emu.BotUser().Username, emu.TestUser().Username, "built-in Uncord emulator")
	email, password := emu.Credentials()
	return c, uncordLogin{baseURL: emu.URL(), email: email, password: password}, nil
}

func (u *uncordConsole) inject(_ *console, line string) (string, error) {
	m, err := u.emu.InjectMessage(u.general, line)
	return m.ID, err
}

func (u *uncordConsole) close() {
	u.unsub()
	u.emu.Close()
}

// uncordOutput is an Uncord emulator output as the console prints it.
func uncordOutput(o uncordemu.Output) emulator.Output {
	return emulator.Output{
		Kind:          emulator.OutputKind(o.Kind),
		ChannelID:     o.ChannelID,
		ChannelName:   o.ChannelName,
		MessageID:     o.MessageID,
		Content:       o.Content,
		ReplyTo:       o.ReplyTo,
		ReplyToAuthor: o.ReplyToAuthor,
		Emoji:         o.DecodedEmoji(),
		Status:        o.Status,
	}
}
