package commands

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	opt := func(extra string) string {
		return `{"name":"x","description":"d","options":[` + extra + `]}`
	}
	tests := []struct {
		name string
		spec string
		want string // substring of the error, "" for valid
	}{
		{"minimal", `{"name":"echo","description":"Say it back"}`, ""},
		{"uppercase name", `{"name":"Echo","description":"d"}`, `ping.lua:12: command "Echo": name "Echo" must be lowercase`},
		{"space in name", `{"name":"say it","description":"d"}`, `no spaces`},
		{"name too long", `{"name":"` + strings.Repeat("a", 33) + `","description":"d"}`, `1-32`},
		{"unicode name", `{"name":"héllo","description":"d"}`, ""},
		{"devanagari", `{"name":"नमस्ते","description":"d"}`, ""},
		{"missing name", `{"description":"d"}`, `name is required`},
		{"missing description", `{"name":"echo"}`, `description is required`},
		{"long description", `{"name":"echo","description":"` + strings.Repeat("d", 101) + `"}`, `101 characters`},
		{"bad type", `{"name":"echo","description":"d","type":7}`, `type must be 1`},
		{"user command", `{"name":"High Five","type":2}`, ""},
		{"message command description", `{"name":"Report","type":3,"description":"no"}`, `must not have a description`},
		{"message command options", `{"name":"Report","type":3,"options":[{"type":3,"name":"a","description":"d"}]}`, `cannot have options`},
		{"user command long name", `{"name":"` + strings.Repeat("A", 33) + `","type":2}`, `1-32 characters`},
		{"options over 25", `{"name":"x","description":"d","options":[` + strings.TrimSuffix(strings.Repeat(`{"type":5,"name":"o","description":"d"},`, 26), ",") + `]}`, `26 options`},
		{"duplicate option", opt(`{"type":3,"name":"a","description":"d"},{"type":3,"name":"a","description":"d"}`), `duplicate option name`},
		{"required after optional", opt(`{"type":3,"name":"a","description":"d"},{"type":3,"name":"b","description":"d","required":true}`), `required options must come before optional ones`},
		{"option type 12", opt(`{"type":12,"name":"a","description":"d"}`), `option type 1-11`},
		{"option without description", opt(`{"type":3,"name":"a"}`), `description is required`},
		{"uppercase option", opt(`{"type":3,"name":"Text","description":"d"}`), `must be lowercase`},
		{"subcommands", opt(`{"type":1,"name":"add","description":"d","options":[{"type":3,"name":"a","description":"d","required":true}]},{"type":1,"name":"list","description":"d"}`), ""},
		{"group", opt(`{"type":2,"name":"role","description":"d","options":[{"type":1,"name":"add","description":"d","options":[{"type":6,"name":"who","description":"d"}]}]}`), ""},
		{"group with plain option", opt(`{"type":2,"name":"role","description":"d","options":[{"type":3,"name":"a","description":"d"}]}`), `a group can only contain subcommands`},
		{"group in group", opt(`{"type":2,"name":"g","description":"d","options":[{"type":2,"name":"h","description":"d","options":[{"type":1,"name":"s","description":"d"}]}]}`), `a group can only contain subcommands`},
		{"empty group", opt(`{"type":2,"name":"g","description":"d"}`), `at least one subcommand`},
		{"subcommand in subcommand", opt(`{"type":1,"name":"s","description":"d","options":[{"type":1,"name":"t","description":"d"}]}`), `cannot nest further`},
		{"mix sub and plain", opt(`{"type":1,"name":"s","description":"d"},{"type":3,"name":"a","description":"d"}`), `cannot mix subcommands`},
		{"plain with options", opt(`{"type":3,"name":"a","description":"d","options":[{"type":3,"name":"b","description":"d"}]}`), `only subcommands and groups can have options`},
		{"choices ok", opt(`{"type":3,"name":"a","description":"d","choices":[{"name":"A","value":"a"}]}`), ""},
		{"choice value type", opt(`{"type":4,"name":"a","description":"d","choices":[{"name":"A","value":"a"}]}`), `must be a number for a integer option`},
		{"choice fractional int", opt(`{"type":4,"name":"a","description":"d","choices":[{"name":"A","value":1.5}]}`), `whole number`},
		{"choice string for number", opt(`{"type":3,"name":"a","description":"d","choices":[{"name":"A","value":1}]}`), `must be a string`},
		{"choices on boolean", opt(`{"type":5,"name":"a","description":"d","choices":[{"name":"A","value":1}]}`), `choices only work on`},
		{"too many choices", opt(`{"type":3,"name":"a","description":"d","choices":[` + strings.TrimSuffix(strings.Repeat(`{"name":"A","value":"a"},`, 26), ",") + `]}`), `26 choices`},
		{"autocomplete with choices", opt(`{"type":3,"name":"a","description":"d","autocomplete":true,"choices":[{"name":"A","value":"a"}]}`), `autocomplete cannot be combined with choices`},
		{"autocomplete on user", opt(`{"type":6,"name":"a","description":"d","autocomplete":true}`), `autocomplete only works`},
		{"min > max value", opt(`{"type":10,"name":"a","description":"d","min_value":5,"max_value":1}`), `min_value 5 is greater than max_value 1`},
		{"min_value on string", opt(`{"type":3,"name":"a","description":"d","min_value":1}`), `only works on integer and number`},
		{"min_length range", opt(`{"type":3,"name":"a","description":"d","min_length":7000}`), `0-6000`},
		{"max_length zero", opt(`{"type":3,"name":"a","description":"d","max_length":0}`), `1-6000`},
		{"min > max length", opt(`{"type":3,"name":"a","description":"d","min_length":5,"max_length":2}`), `greater than max_length`},
		{"channel_types on string", opt(`{"type":3,"name":"a","description":"d","channel_types":[0]}`), `only works on channel`},
		{"guild_ids numbers", `{"name":"x","description":"d","guild_ids":[123]}`, `must be strings`},
		{"guild_ids ok", `{"name":"x","description":"d","guild_ids":["123"]}`, ""},
		{"localizations", `{"name":"x","description":"d","name_localizations":{"fr":"x"},"description_localizations":{"fr":"dé"}}`, ""},
		{"bad localizations", `{"name":"x","description":"d","name_localizations":{"fr":1}}`, `must be a string`},
		{"permissions", `{"name":"x","description":"d","default_member_permissions":"8"}`, ""},
		{"total size", `{"name":"x","description":"d","options":[` + strings.TrimSuffix(strings.Repeat(`{"type":3,"name":"a`+`","description":"`+strings.Repeat("d", 100)+`","choices":[`+strings.TrimSuffix(strings.Repeat(`{"name":"`+strings.Repeat("n", 50)+`","value":"v"},`, 25), ",")+`]},`, 3), ",") + `]}`, `the limit is 4000`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(Spec{Where: "ping.lua:12", Data: mustJSON(t, tt.spec)})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want error containing %q, got nil", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want error containing %q, got %q", tt.want, err)
			}
			var se *SpecError
			if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), "ping.lua:12: command") {
				t.Fatalf("want *SpecError prefixed with the location, got %T %q", err, err)
			}
		})
	}
}

// Scripts hand over Go ints and typed slices, not JSON shapes.
func TestValidateGoValues(t *testing.T) {
	spec := map[string]any{
		"name": "roll", "description": "Roll dice",
		"options": []map[string]any{{"type": int64(4), "name": "sides", "description": "d", "min_value": 2, "max_value": int64(100)}},
	}
	if err := Validate(Spec{Where: "dice.lua:1", Data: spec}); err != nil {
		t.Fatal(err)
	}
	bad := map[string]any{"name": "roll", "description": "d", "bad": func() {}}
	if err := Validate(Spec{Where: "dice.lua:2", Data: bad}); err == nil || !strings.Contains(err.Error(), "dice.lua:2") {
		t.Fatalf("unencodable spec: got %v", err)
	}
}

func FuzzValidateNormalize(f *testing.F) {
	for _, s := range []string{
		`{"name":"echo","description":"Say it back","options":[{"type":3,"name":"text","description":"what","required":true}]}`,
		`{"name":"x","description":"d","options":[{"type":2,"name":"g","description":"d","options":[{"type":1,"name":"s","description":"d"}]}]}`,
		`{"name":"High Five","type":2}`,
		`{"name":"x","description":"d","options":[{"type":4,"name":"n","description":"d","choices":[{"name":"one","value":1}],"min_value":0}]}`,
		`{"type":"1","name":null,"options":{}}`,
		`[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m map[string]any
		if json.Unmarshal(b, &m) != nil || m == nil {
			return
		}
		err := Validate(Spec{Where: "fuzz.lua:1", Data: m})
		n := Normalize(m)
		again := Normalize(roundTrip(t, n))
		if canonicalJSON(n) != canonicalJSON(again) {
			t.Fatalf("normalize not idempotent:\n%s\n%s", canonicalJSON(n), canonicalJSON(again))
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.lua:1: command") {
				t.Fatalf("error without location: %q", err)
			}
			return
		}
		// A valid spec compares equal to Discord's echo of it.
		echo := Normalize(discordEcho(n, false))
		if !sameSet([]map[string]any{n}, []map[string]any{echo}) {
			t.Fatalf("valid spec differs from its echo:\n%s\n%s", canonicalJSON(n), canonicalJSON(echo))
		}
	})
}

func roundTrip(t *testing.T, m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
