package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/botrun/botrun/engine"
)

// ConfigFile is the name of the optional config file in the bot directory.
const ConfigFile = "botrun.toml"

// Config is botrun.toml, after env vars and flags were applied on top
// (flag > env > file > default).
type Config struct {
	Platform      string   `toml:"platform"`
	BaseURL       string   `toml:"base_url"`
	TokenEnv      string   `toml:"token_env"`
	APIURL        string   `toml:"api_url"`
	GatewayURL    string   `toml:"gateway_url"`
	Intents       []string `toml:"intents"`
	ShardCount    int      `toml:"shard_count"`
	Shards        []int    `toml:"shards"`
	FreshSessions bool     `toml:"fresh_sessions"`
	Compress      bool     `toml:"compress"`
	DevGuild      string   `toml:"dev_guild"`
	LogLevel      string   `toml:"log_level"`
	LogFormat     string   `toml:"log_format"`
	Watch         bool     `toml:"watch"`
	Store         string   `toml:"store"`
	// Prefer picks which twin runs when a script exists in both languages.
	Prefer string `toml:"prefer"`
	// RESTGlobalLimit is requests per second over all routes: 0 means
	// Discord's default of 50, negative turns the limiter off.
	RESTGlobalLimit int `toml:"rest_global_limit"`
	// ReleaseStartupMemory returns the heap start-up left free to the
	// system once, after the first READY (see release.go).
	ReleaseStartupMemory bool `toml:"release_startup_memory"`
	// BurstHeapMB is the heap the garbage collector lets grow during an
	// allocation burst, in MiB; 0 keeps Go's default (see burstheap.go).
	BurstHeapMB int `toml:"burst_heap_mb"`

	Limits  LimitsConfig              `toml:"limits"`
	Scripts map[string]map[string]any `toml:"scripts"`
}

// LimitsConfig is the [limits] table; zero means the default.
type LimitsConfig struct {
	CPUMs          int `toml:"cpu_ms"`
	LoadCPUMs      int `toml:"load_cpu_ms"`
	CallStack      int `toml:"call_stack"`
	LuaRegistryMax int `toml:"lua_registry_max"`
	MaxString      int `toml:"max_string"`
	MaxPayload     int `toml:"max_payload"`
	MaxPending     int `toml:"max_pending"`
	QueueSize      int `toml:"queue_size"`
	HeapLimitMB    int `toml:"heap_limit_mb"`
}

// Engine converts the table to engine limits.
func (l LimitsConfig) Engine() engine.Limits {
	return engine.Limits{
		CPU:            time.Duration(l.CPUMs) * time.Millisecond,
		LoadCPU:        time.Duration(l.LoadCPUMs) * time.Millisecond,
		CallStack:      l.CallStack,
		LuaRegistryMax: l.LuaRegistryMax,
		MaxString:      l.MaxString,
		MaxPayload:     l.MaxPayload,
		MaxPending:     l.MaxPending,
		QueueSize:      l.QueueSize,
	}.WithDefaults()
}

func defaultConfig() Config {
	return Config{
		Platform:  "discord",
		TokenEnv:  "DISCORD_TOKEN",
		APIURL:    "https://discord.com/api/v10",
		LogLevel:  "info",
		LogFormat: "auto",
		Watch:     true,
		Store:     ".botrun/store.db",
		Compress:  true,
		Prefer:    "lua",

		ReleaseStartupMemory: true,
		BurstHeapMB:          8,
	}
}

// ConfigError is a bad botrun.toml; it names the file, line and key.
type ConfigError struct {
	Path string
	Line int
	Col  int
	Msg  string
}

func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

// loadConfigFile reads DIR/botrun.toml over the defaults. A missing file is
// not an error; unknown keys are, each named with its line.
func loadConfigFile(dir string) (Config, error) {
	cfg := defaultConfig()
	p := filepath.Join(dir, ConfigFile)
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("read config: %w", err)
	}
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		var strict *toml.StrictMissingError
		var de *toml.DecodeError
		switch {
		case errors.As(err, &strict):
			var errs []error
			for _, e := range strict.Errors {
				line, col := e.Position()
				errs = append(errs, &ConfigError{Path: p, Line: line, Col: col,
					Msg: fmt.Sprintf("unknown key %q (see docs/configuration.md for the keys botrun knows)", strings.Join(e.Key(), "."))})
			}
			return cfg, errors.Join(errs...)
		case errors.As(err, &de):
			line, col := de.Position()
			return cfg, &ConfigError{Path: p, Line: line, Col: col, Msg: strings.TrimPrefix(de.Error(), "toml: ")}
		}
		return cfg, &ConfigError{Path: p, Msg: err.Error()}
	}
	return cfg, nil
}

// setting is one value settable by flag and env var on top of the file.
type setting struct {
	flag  string // flag name; the env var is BOTRUN_ + upper snake case
	usage string
	apply func(c *Config, v string) error
}

func envName(flagName string) string {
	return "BOTRUN_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

var runSettings = []setting{
	{"api-url", "REST API base URL (default https://discord.com/api/v10)", func(c *Config, v string) error { c.APIURL = v; return nil }},
	{"gateway-url", "gateway URL; skips GET /gateway/bot", func(c *Config, v string) error { c.GatewayURL = v; return nil }},
	{"log-level", "debug, info, warn or error", func(c *Config, v string) error { c.LogLevel = v; return nil }},
	{"log-format", "auto (colour text on a terminal, JSON otherwise), text or json", func(c *Config, v string) error { c.LogFormat = v; return nil }},
	{"watch", "hot-reload scripts when their files change", trueOrFalse("watch", func(c *Config, b bool) { c.Watch = b })},
	{"dev-guild", "guild id where commands are registered instantly while developing", func(c *Config, v string) error { c.DevGuild = v; return nil }},
	{"token-env", "name of the env var that holds the bot token (default DISCORD_TOKEN)", func(c *Config, v string) error { c.TokenEnv = v; return nil }},
	{"rest-global-limit", "REST requests per second over all routes (0: Discord's default 50; negative: off)",
		wholeNumber("rest-global-limit", func(c *Config, n int) { c.RESTGlobalLimit = n })},
	{"prefer", "lua or js: which one runs when a script exists in both languages (ping.lua and ping.js)", func(c *Config, v string) error { c.Prefer = v; return nil }},
	{"release-startup-memory", "once connected, return the heap start-up left free to the system",
		trueOrFalse("release-startup-memory", func(c *Config, b bool) { c.ReleaseStartupMemory = b })},
	{"burst-heap-mb", "during a burst of events, let the heap grow to this many MiB between garbage collections (0: Go's default)",
		wholeNumber("burst-heap-mb", func(c *Config, n int) { c.BurstHeapMB = n })},
	{"store", "path of the store database, relative to DIR (default .botrun/store.db)", func(c *Config, v string) error { c.Store = v; return nil }},
}

// trueOrFalse is the apply of a boolean setting.
func trueOrFalse(name string, set func(*Config, bool)) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%s: %q is not true or false", name, v)
		}
		set(c, b)
		return nil
	}
}

// wholeNumber is the apply of an integer setting.
func wholeNumber(name string, set func(*Config, int)) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%s: %q is not a whole number", name, v)
		}
		set(c, n)
		return nil
	}
}

// registerSettings adds the settings as string flags (bool flags accept
// --watch and --watch=false). The returned map holds what the user typed.
func registerSettings(fs *flag.FlagSet) map[string]*string {
	vals := map[string]*string{}
	for _, s := range runSettings {
		v := new(string)
		vals[s.flag] = v
		if s.flag == "watch" || s.flag == "release-startup-memory" {
			fs.Var(boolString{v}, s.flag, s.usage+" (env "+envName(s.flag)+", default true)")
			continue
		}
		fs.StringVar(v, s.flag, "", s.usage+" (env "+envName(s.flag)+")")
	}
	return vals
}

// boolString is a bool flag that records the text given, so "not set" can be
// told apart from "set to false".
type boolString struct{ p *string }

func (b boolString) String() string {
	if b.p == nil {
		return ""
	}
	return *b.p
}
func (b boolString) Set(v string) error { *b.p = v; return nil }
func (b boolString) IsBoolFlag() bool   { return true }

// resolveConfig applies env then explicitly set flags over the file.
func resolveConfig(dir string, fs *flag.FlagSet, vals map[string]*string, getenv func(string) string) (Config, error) {
	cfg, err := loadConfigFile(dir)
	if err != nil {
		return cfg, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, s := range runSettings {
		if v := getenv(envName(s.flag)); v != "" && !set[s.flag] {
			if err := s.apply(&cfg, v); err != nil {
				return cfg, fmt.Errorf("%s: %w", envName(s.flag), err)
			}
		}
		if set[s.flag] {
			if err := s.apply(&cfg, *vals[s.flag]); err != nil {
				return cfg, fmt.Errorf("--%s: %w", s.flag, err)
			}
		}
	}
	return cfg, validateConfig(cfg)
}

func validateConfig(c Config) error {
	switch c.Platform {
	case "discord", "":
	case "uncord":
		if c.BaseURL == "" {
			return fmt.Errorf("platform uncord needs base_url in %s: the server's URL, such as https://chat.example.org", ConfigFile)
		}
	default:
		return fmt.Errorf("unknown platform %q in %s; use \"discord\"", c.Platform, ConfigFile)
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "warning", "error":
	default:
		return fmt.Errorf("log level %q: use debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "auto", "text", "json", "":
	default:
		return fmt.Errorf("log format %q: use auto, text or json", c.LogFormat)
	}
	if c.Prefer != "lua" && c.Prefer != "js" {
		return fmt.Errorf("prefer %q: use lua or js", c.Prefer)
	}
	if c.BurstHeapMB < 0 {
		return fmt.Errorf("burst_heap_mb %d: use a size in MiB, or 0 for Go's default", c.BurstHeapMB)
	}
	if c.TokenEnv == "" {
		return errors.New("token_env is empty; leave it out to use DISCORD_TOKEN")
	}
	return nil
}
