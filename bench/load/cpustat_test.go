package load

import "testing"

func TestParseCPUTimes(t *testing.T) {
	tests := []struct {
		name    string
		stat    string
		want    CPUTimes
		wantErr bool
	}{
		{"linux 6", "cpu  100 5 50 800 20 3 2 10 0 0\ncpu0 50 2 25 400 10 1 1 5 0 0\n", CPUTimes{Idle: 820, Total: 990}, false},
		{"no cpu line", "intr 1 2 3\n", CPUTimes{}, true},
		{"short", "cpu 1 2 3\n", CPUTimes{}, true},
		{"not a number", "cpu 1 2 3 x 5 6 7 8\n", CPUTimes{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCPUTimes(tt.stat)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("parseCPUTimes = %+v, %v; want %+v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
	if s := IdleShare(CPUTimes{Idle: 10, Total: 100}, CPUTimes{Idle: 60, Total: 300}); s != 0.25 {
		t.Fatalf("IdleShare = %v, want 0.25", s)
	}
	if s := IdleShare(CPUTimes{Total: 5}, CPUTimes{Total: 5}); s != -1 {
		t.Fatalf("IdleShare of no time = %v, want -1", s)
	}
	if _, err := ReadCPUTimes(); err != nil {
		t.Fatal(err)
	}
}
