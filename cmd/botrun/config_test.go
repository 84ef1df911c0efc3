package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	toml := "api_url = \"http://file\"\nlog_level = \"warn\"\nwatch = false\ndev_guild = \"1\"\n"
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"BOTRUN_API_URL": "http://env", "BOTRUN_LOG_LEVEL": "debug", "BOTRUN_REST_GLOBAL_LIMIT": "-1", "BOTRUN_BURST_HEAP_MB": "0"}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	vals := registerSettings(fs)
	if err := fs.Parse([]string{"--api-url", "http://flag", "--watch"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := resolveConfig(dir, fs, vals, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"api_url (flag > env > file)", cfg.APIURL, "http://flag"},
		{"log_level (env > file)", cfg.LogLevel, "debug"},
		{"dev_guild (file)", cfg.DevGuild, "1"},
		{"token_env (default)", cfg.TokenEnv, "DISCORD_TOKEN"},
		{"gateway_url (default)", cfg.GatewayURL, ""},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if cfg.RESTGlobalLimit != -1 {
		t.Errorf("rest_global_limit = %d, want -1 from the env", cfg.RESTGlobalLimit)
	}
	if cfg.BurstHeapMB != 0 {
		t.Errorf("burst_heap_mb = %d, want 0 from the env (default %d)", cfg.BurstHeapMB, defaultConfig().BurstHeapMB)
	}
	if !cfg.Watch {
		t.Error("watch: --watch should override watch = false in the file")
	}
}

func TestConfigFileErrors(t *testing.T) {
	tests := []struct {
		name, toml string
		want       []string
	}{
		{"unknown top-level key", "api_url = \"x\"\ntokn_env = \"T\"\n", []string{"botrun.toml:2:1", `unknown key "tokn_env"`}},
		{"unknown limits key", "[limits]\ncpu_ms = 5\ncpu = 7\n", []string{"botrun.toml:3:1", `unknown key "limits.cpu"`}},
		{"syntax", "api_url = \n", []string{"botrun.toml:1:"}},
		{"wrong type", "watch = \"yes\"\n", []string{"botrun.toml:1:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, ConfigFile), []byte(tt.toml), 0o644)
			_, err := loadConfigFile(dir)
			if err == nil {
				t.Fatal("want an error")
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("error %v is not a *ConfigError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestConfigScriptsAndLimits(t *testing.T) {
	dir := t.TempDir()
	toml := "[limits]\ncpu_ms = 250\nqueue_size = 8\n\n[scripts.welcome]\nchannel_id = \"42\"\nnested = { a = 1 }\n"
	os.WriteFile(filepath.Join(dir, ConfigFile), []byte(toml), 0o644)
	cfg, err := loadConfigFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Scripts["welcome"]["channel_id"]; got != "42" {
		t.Errorf("scripts.welcome.channel_id = %v", got)
	}
	l := cfg.Limits.Engine()
	if l.CPU.Milliseconds() != 250 || l.QueueSize != 8 || l.CallStack == 0 {
		t.Errorf("limits = %+v", l)
	}
}

func TestConfigValidation(t *testing.T) {
	for toml, want := range map[string]string{
		"platform = \"uncord\"\n": "platform uncord needs base_url",
		"platform = \"slack\"\n":  "unknown platform",
		"log_level = \"loud\"\n":  "log level",
		"log_format = \"xml\"\n":  "log format",
		"burst_heap_mb = -1\n":    "burst_heap_mb -1",
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, ConfigFile), []byte(toml), 0o644)
		fs := flag.NewFlagSet("run", flag.ContinueOnError)
		vals := registerSettings(fs)
		_, err := resolveConfig(dir, fs, vals, func(string) string { return "" })
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want it to contain %q", toml, err, want)
		}
	}
}

func TestSettingValues(t *testing.T) {
	for _, tt := range []struct{ env, value, want string }{
		{"BOTRUN_WATCH", "maybe", `BOTRUN_WATCH: watch: "maybe" is not true or false`},
		{"BOTRUN_RELEASE_STARTUP_MEMORY", "1x", `release-startup-memory: "1x" is not true or false`},
		{"BOTRUN_BURST_HEAP_MB", "lots", `BOTRUN_BURST_HEAP_MB: burst-heap-mb: "lots" is not a whole number`},
		{"BOTRUN_REST_GLOBAL_LIMIT", "1.5", `rest-global-limit: "1.5" is not a whole number`},
	} {
		fs := flag.NewFlagSet("run", flag.ContinueOnError)
		vals := registerSettings(fs)
		_, err := resolveConfig(t.TempDir(), fs, vals, func(k string) string {
			if k == tt.env {
				return tt.value
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s=%s: err = %v, want it to contain %q", tt.env, tt.value, err, tt.want)
		}
	}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	vals := registerSettings(fs)
	if err := fs.Parse([]string{"--burst-heap-mb", "12", "--release-startup-memory=false"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := resolveConfig(t.TempDir(), fs, vals, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BurstHeapMB != 12 || cfg.ReleaseStartupMemory {
		t.Errorf("burst_heap_mb = %d, release_startup_memory = %v; want 12 and false from the flags", cfg.BurstHeapMB, cfg.ReleaseStartupMemory)
	}
}

func TestEnvName(t *testing.T) {
	if got := envName("api-url"); got != "BOTRUN_API_URL" {
		t.Errorf("envName = %q", got)
	}
}
