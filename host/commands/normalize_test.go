package commands

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestNormalizeGolden pins the canonical form of declared and registered
// commands (testdata/normalize/NAME.golden.json) and whether the pair
// counts as unchanged.
func TestNormalizeGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/normalize/*.in.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, in := range files {
		name := strings.TrimSuffix(filepath.Base(in), ".in.json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var c struct {
				Same       bool           `json:"same"`
				Declared   map[string]any `json:"declared"`
				Registered map[string]any `json:"registered"`
			}
			if err := json.Unmarshal(raw, &c); err != nil {
				t.Fatal(err)
			}
			if err := Validate(Spec{Where: name, Data: c.Declared}); err != nil {
				t.Fatalf("declared spec invalid: %v", err)
			}
			d, r := Normalize(c.Declared), Normalize(c.Registered)
			got, _ := json.MarshalIndent(map[string]any{"declared": d, "registered": r}, "", "  ")
			got = append(got, '\n')
			golden := filepath.Join("testdata/normalize", name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if string(got) != string(want) {
				t.Errorf("normalized form differs from %s:\n%s", golden, got)
			}
			if same := sameSet([]map[string]any{d}, []map[string]any{r}); same != c.Same {
				t.Errorf("sameSet = %v, want %v", same, c.Same)
			}
		})
	}
}
