// Command discordgo-peer is the discordgo side of botrun's peer benchmark:
// a plain discordgo bot with the same behaviour as the botrun bench
// scripts, pointed at the emulator instead of discord.com.
//
// Environment: BENCH_API is the emulator's base URL (http://127.0.0.1:PORT),
// BENCH_TOKEN the bot token it accepts, BENCH_HANDLERS (optional) the
// number of MESSAGE_CREATE handlers. Behaviour, identical in every peer:
// "!ping TAG" is answered with "pong TAG", "!done TAG" with "done TAG N",
// N being the messages seen since the previous "!done" (this one
// included); any other message has its content inspected and is
// otherwise ignored.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/bwmarrin/discordgo"
)

// pointAt re-targets discordgo's package-level endpoints. They are computed
// from EndpointDiscord when the package initialises, so every derived
// variable has to be rebuilt, not just the base.
func pointAt(base string) {
	discordgo.APIVersion = "10"
	discordgo.EndpointDiscord = strings.TrimSuffix(base, "/") + "/"
	discordgo.EndpointAPI = discordgo.EndpointDiscord + "api/v" + discordgo.APIVersion + "/"
	discordgo.EndpointGuilds = discordgo.EndpointAPI + "guilds/"
	discordgo.EndpointChannels = discordgo.EndpointAPI + "channels/"
	discordgo.EndpointUsers = discordgo.EndpointAPI + "users/"
	discordgo.EndpointGateway = discordgo.EndpointAPI + "gateway"
	discordgo.EndpointGatewayBot = discordgo.EndpointGateway + "/bot"
	discordgo.EndpointWebhooks = discordgo.EndpointAPI + "webhooks/"
	discordgo.EndpointApplications = discordgo.EndpointAPI + "applications"
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "discordgo-peer:", err)
		os.Exit(1)
	}
}

func run() error {
	base, token := os.Getenv("BENCH_API"), os.Getenv("BENCH_TOKEN")
	if base == "" || token == "" {
		return fmt.Errorf("set BENCH_API (emulator base URL) and BENCH_TOKEN")
	}
	pointAt(base)
	s, err := discordgo.New("Bot " + token)
	if err != nil {
		return err
	}
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsMessageContent
	s.LogLevel = -1
	ready := make(chan struct{}, 1)
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Ready) {
		select {
		case ready <- struct{}{}:
		default:
		}
	})
	s.AddHandler(onMessage)
	// BENCH_HANDLERS=n registers n-1 more MESSAGE_CREATE handlers that
	// only count, the discordgo counterpart of botrun's idle scripts.
	n, _ := strconv.Atoi(os.Getenv("BENCH_HANDLERS"))
	counts := make([]int, max(n-1, 0))
	for i := range counts {
		s.AddHandler(func(_ *discordgo.Session, _ *discordgo.MessageCreate) { counts[i]++ })
	}
	if err := s.Open(); err != nil {
		return fmt.Errorf("open: %w", err)
	}
	defer s.Close()
	<-ready
	fmt.Println("READY")

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	return nil
}

// seen counts messages since the last "!done". discordgo runs each
// handler call in its own goroutine, hence the atomic.
var seen atomic.Int64

func onMessage(s *discordgo.Session, m *discordgo.MessageCreate) {
	if m.Author != nil && m.Author.Bot {
		return
	}
	seen.Add(1)
	c := m.Content
	switch {
	case strings.HasPrefix(c, "!ping "):
		reply(s, m.ChannelID, "pong "+c[len("!ping "):])
	case strings.HasPrefix(c, "!done "):
		reply(s, m.ChannelID, "done "+c[len("!done "):]+" "+strconv.FormatInt(seen.Swap(0), 10))
	}
}

func reply(s *discordgo.Session, channelID, content string) {
	if _, err := s.ChannelMessageSend(channelID, content); err != nil {
		fmt.Fprintln(os.Stderr, "send:", err)
	}
}
