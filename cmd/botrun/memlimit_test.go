package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestDefaultMemoryLimit(t *testing.T) {
	const mib = 1 << 20
	for _, tt := range []struct {
		name  string
		files map[string]string
		env   map[string]string
		want  int64
	}{
		{"v2 limit on the process's cgroup", map[string]string{
			"proc/self/cgroup":                    "0::/bots/mybot\n",
			"sys/fs/cgroup/bots/mybot/memory.max": "268435456\n",
			"sys/fs/cgroup/bots/memory.max":       "max\n",
		}, nil, 256 * mib / 10 * 9},
		{"v2 smaller limit on a parent", map[string]string{
			"proc/self/cgroup":                    "0::/bots/mybot\n",
			"sys/fs/cgroup/bots/mybot/memory.max": "max\n",
			"sys/fs/cgroup/bots/memory.max":       "104857600\n",
		}, nil, 100 * mib / 10 * 9},
		{"v2 no limit", map[string]string{
			"proc/self/cgroup":                    "0::/user.slice\n",
			"sys/fs/cgroup/user.slice/memory.max": "max\n",
		}, nil, 0},
		{"v1 in a cgroup namespace", map[string]string{
			"proc/self/cgroup":                           "5:cpu,cpuacct:/\n4:memory:/\n0::/\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes": "536870912\n",
		}, nil, 512 * mib / 10 * 9},
		{"v1 unlimited, path not mounted", map[string]string{
			"proc/self/cgroup":                           "4:memory:/process_api/abc\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n",
		}, nil, 0},
		{"GOMEMLIMIT set wins", map[string]string{
			"proc/self/cgroup":         "0::/\n",
			"sys/fs/cgroup/memory.max": "268435456\n",
		}, map[string]string{"GOMEMLIMIT": "off"}, 0},
		{"no cgroup file", map[string]string{}, nil, 0},
		{"garbage", map[string]string{
			"proc/self/cgroup":         "nonsense\n0::relative\n0::/\n",
			"sys/fs/cgroup/memory.max": "lots\n",
		}, nil, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for name, body := range tt.files {
				p := filepath.Join(root, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got := defaultMemoryLimit(func(k string) string { return tt.env[k] }, root)
			if got != tt.want {
				t.Errorf("limit = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestApplyDefaultMemoryLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	root := t.TempDir()
	for name, body := range map[string]string{
		"proc/self/cgroup":         "0::/\n",
		"sys/fs/cgroup/memory.max": "1073741824\n",
	} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	logs := newSyncBuf()
	log := slog.New(slog.NewTextHandler(logs, nil))
	want := int64(1<<30) / 10 * 9
	if got := applyDefaultMemoryLimit(func(string) string { return "" }, root, log); got != want {
		t.Fatalf("applied %d, want %d", got, want)
	}
	if got := debug.SetMemoryLimit(-1); got != want {
		t.Errorf("Go soft memory limit = %d, want %d", got, want)
	}
	if !strings.Contains(logs.String(), "limit_mib=921") {
		t.Errorf("log does not give the limit in MiB:\n%s", logs.String())
	}
	debug.SetMemoryLimit(prev)
	if got := applyDefaultMemoryLimit(func(k string) string { return map[string]string{"GOMEMLIMIT": "64MiB"}[k] }, root, log); got != 0 {
		t.Errorf("with GOMEMLIMIT set, applied %d", got)
	}
	if got := debug.SetMemoryLimit(-1); got != prev {
		t.Errorf("with GOMEMLIMIT set, the limit changed to %d", got)
	}
}
