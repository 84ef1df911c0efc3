package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReleaseAfterReady(t *testing.T) {
	logs := newSyncBuf()
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var bot botState
	ready := bot.readied()
	done := make(chan struct{})
	go func() { defer close(done); releaseAfterReady(context.Background(), ready, 0, log) }()

	select {
	case <-done:
		t.Fatal("released before READY")
	case <-time.After(20 * time.Millisecond): // nothing may happen without READY
	}
	bot.fromReady([]byte(`{"user":{"id":"1"},"application":{"id":"2"}}`))
	bot.fromReady([]byte(`{"user":{"id":"1"}}`)) // a second READY (resume failed) must not panic
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("not released within 10s of READY")
	}
	if !strings.Contains(logs.String(), "released start-up memory") {
		t.Errorf("no release logged:\n%s", logs.String())
	}
	if got := bot.get().ApplicationID; got != "2" {
		t.Errorf("application id = %q, want 2", got)
	}
}

func TestReleaseAfterReadyStopsWithContext(t *testing.T) {
	logs := newSyncBuf()
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, tt := range []struct {
		name  string
		ready bool
	}{{"before READY", false}, {"during the delay", true}} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			ready := make(chan struct{})
			if tt.ready {
				close(ready)
			}
			done := make(chan struct{})
			go func() { defer close(done); releaseAfterReady(ctx, ready, time.Hour, log) }()
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("did not return within 10s of cancel")
			}
		})
	}
	if strings.Contains(logs.String(), "released") {
		t.Errorf("released although the context ended first:\n%s", logs.String())
	}
}

func TestReleaseStartupMemorySetting(t *testing.T) {
	for _, tt := range []struct {
		name, toml string
		env        map[string]string
		args       []string
		want       bool
	}{
		{"default", "", nil, nil, true},
		{"file", "release_startup_memory = false\n", nil, nil, false},
		{"env over file", "release_startup_memory = false\n", map[string]string{"BOTRUN_RELEASE_STARTUP_MEMORY": "true"}, nil, true},
		{"flag over env", "", map[string]string{"BOTRUN_RELEASE_STARTUP_MEMORY": "true"}, []string{"--release-startup-memory=false"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.toml != "" {
				if err := os.WriteFile(filepath.Join(dir, ConfigFile), []byte(tt.toml), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			fs := flag.NewFlagSet("run", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			vals := registerSettings(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			cfg, err := resolveConfig(dir, fs, vals, func(k string) string { return tt.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if cfg.ReleaseStartupMemory != tt.want {
				t.Errorf("release_startup_memory = %v, want %v", cfg.ReleaseStartupMemory, tt.want)
			}
		})
	}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	vals := registerSettings(fs)
	_ = fs.Parse(nil)
	_, err := resolveConfig(t.TempDir(), fs, vals, func(k string) string {
		return map[string]string{"BOTRUN_RELEASE_STARTUP_MEMORY": "sometimes"}[k]
	})
	if err == nil || !strings.Contains(err.Error(), "BOTRUN_RELEASE_STARTUP_MEMORY") {
		t.Errorf("bad value: err = %v, want one naming BOTRUN_RELEASE_STARTUP_MEMORY", err)
	}
}
