package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestTextHandler(t *testing.T) {
	var b bytes.Buffer
	log := newLogger(&b, "debug", "text", "sekrit-token")
	log.With("script", "ping").Info("hello sekrit-token", "n", 3, "msg2", "two words")
	log.Error("reload failed", "script", "ping", "error", "ping.lua:2:3: oops", "frame", "> 2 | x\n    |   ^\n")
	log.Debug("quiet")
	out := b.String()
	for _, want := range []string{
		"INFO  [ping] hello [redacted] n=3 msg2=\"two words\"\n",
		"ERROR [ping] reload failed error=\"ping.lua:2:3: oops\"\n> 2 | x\n    |   ^\n",
		"DEBUG quiet",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "sekrit") || strings.Contains(out, "\x1b[") {
		t.Errorf("token or colour codes in non-terminal output:\n%s", out)
	}
}

func TestJSONHandlerRedacts(t *testing.T) {
	var b bytes.Buffer
	log := newLogger(&b, "info", "json", "sekrit-token")
	log.With("script", "ping").Warn("oops", "url", "https://x/?token=sekrit-token")
	log.Debug("hidden at info")
	var m map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(b.Bytes()), &m); err != nil {
		t.Fatalf("not one JSON line: %v\n%s", err, b.String())
	}
	if m["script"] != "ping" || m["level"] != "WARN" || m["url"] != "https://x/?token=[redacted]" {
		t.Errorf("record = %v", m)
	}
}
