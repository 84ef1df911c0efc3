package bindings

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func ixObject(typ int) *Object {
	return &Object{Kind: KindInteraction, Raw: json.RawMessage(fmt.Sprintf(
		`{"id":"1","token":"tok","application_id":"app","type":%d,"channel":{"id":"10"},"data":{"name":"ping"}}`, typ))}
}

func TestInteractionMethods(t *testing.T) {
	wantRef := func(typ int) InteractionRef {
		return InteractionRef{ID: "1", Token: "tok", ApplicationID: "app", ChannelID: "10", Type: typ}
	}
	tests := []struct {
		name   string
		typ    int
		method string
		args   []any
		want   recorded
	}{
		{"respond string", ixCommand, "respond", []any{"pong"},
			recorded{Op: "respond", Kind: RespondMessage, Msg: map[string]any{"content": "pong"}}},
		{"respond ephemeral", ixCommand, "respond", []any{map[string]any{"content": "secret", "ephemeral": true}},
			recorded{Op: "respond", Kind: RespondMessage, Msg: map[string]any{"content": "secret", "flags": int64(64)}}},
		{"respond ephemeral keeps flags", ixCommand, "respond", []any{map[string]any{"content": "s", "ephemeral": true, "flags": float64(4)}},
			recorded{Op: "respond", Kind: RespondMessage, Msg: map[string]any{"content": "s", "flags": int64(68)}}},
		{"respond ephemeral false", ixCommand, "respond", []any{map[string]any{"content": "s", "ephemeral": false}},
			recorded{Op: "respond", Kind: RespondMessage, Msg: map[string]any{"content": "s"}}},
		{"defer", ixCommand, "defer", nil,
			recorded{Op: "respond", Kind: RespondDefer, Msg: map[string]any{}}},
		{"defer ephemeral", ixCommand, "defer", []any{map[string]any{"ephemeral": true}},
			recorded{Op: "respond", Kind: RespondDefer, Msg: map[string]any{"flags": int64(64)}}},
		{"defer component", ixComponentType, "defer", []any{map[string]any{"ephemeral": true}},
			recorded{Op: "respond", Kind: RespondDeferUpdate, Msg: map[string]any{}}},
		{"followup ephemeral", ixCommand, "followup", []any{map[string]any{"content": "more", "ephemeral": true}},
			recorded{Op: "followup", Msg: map[string]any{"content": "more", "flags": int64(64)}}},
		{"edit", ixCommand, "edit", []any{"done"},
			recorded{Op: "edit_original", Msg: map[string]any{"content": "done"}}},
		{"delete", ixCommand, "delete", nil, recorded{Op: "delete_original"}},
		{"update", ixComponentType, "update", []any{"clicked"},
			recorded{Op: "respond", Kind: RespondUpdate, Msg: map[string]any{"content": "clicked"}}},
		{"autocomplete list", ixAutocomplete, "respond", []any{[]any{map[string]any{"name": "a", "value": "a"}}},
			recorded{Op: "respond", Kind: RespondAutocomplete, Msg: map[string]any{"choices": []any{map[string]any{"name": "a", "value": "a"}}}}},
		{"autocomplete table", ixAutocomplete, "respond", []any{map[string]any{"choices": []any{}}},
			recorded{Op: "respond", Kind: RespondAutocomplete, Msg: map[string]any{"choices": []any{}}}},
		{"modal wraps bare inputs", ixCommand, "show_modal", []any{map[string]any{
			"custom_id": "fb", "title": "Feedback",
			"components": []any{map[string]any{"type": int64(4), "custom_id": "text", "label": "Text", "style": int64(1)}},
		}}, recorded{Op: "respond", Kind: RespondModal, Msg: map[string]any{
			"custom_id": "fb", "title": "Feedback",
			"components": []any{map[string]any{"type": int64(1), "components": []any{
				map[string]any{"type": int64(4), "custom_id": "text", "label": "Text", "style": int64(1)}}}},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if _, err := f.method(ixObject(tt.typ), tt.method, tt.args...); err != nil {
				t.Fatal(err)
			}
			tt.want.Ix = wantRef(tt.typ)
			if got := f.rec.last(t); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestInteractionUsageErrors(t *testing.T) {
	longTitle := strings.Repeat("t", 46)
	row := map[string]any{"type": int64(1), "components": []any{}}
	tests := []struct {
		name   string
		typ    int
		method string
		args   []any
		want   string
	}{
		{"respond number", ixCommand, "respond", []any{int64(1)}, "respond: first argument must be a string or a message table/object, got number"},
		{"respond bad ephemeral", ixCommand, "respond", []any{map[string]any{"content": "x", "ephemeral": "yes"}}, "ephemeral must be a boolean, got string"},
		{"respond no args", ixCommand, "respond", nil, "expects 1 argument(s), got none"},
		{"edit ephemeral", ixCommand, "edit", []any{map[string]any{"content": "x", "ephemeral": true}}, "ephemeral cannot be changed by an edit"},
		{"update on command", ixCommand, "update", []any{"x"}, "only component and modal interactions"},
		{"defer bad options", ixCommand, "defer", []any{"now"}, "options) must be a table/object, got string"},
		{"modal no id", ixCommand, "show_modal", []any{map[string]any{"title": "t", "components": []any{row}}}, "modal.custom_id must be a non-empty string, got nil"},
		{"modal no title", ixCommand, "show_modal", []any{map[string]any{"custom_id": "m", "components": []any{row}}}, "modal.title must be a non-empty string"},
		{"modal long title", ixCommand, "show_modal", []any{map[string]any{"custom_id": "m", "title": longTitle, "components": []any{row}}}, "longer than 45 characters"},
		{"modal no components", ixCommand, "show_modal", []any{map[string]any{"custom_id": "m", "title": "t"}}, "non-empty list of components"},
		{"modal too many", ixCommand, "show_modal", []any{map[string]any{"custom_id": "m", "title": "t", "components": []any{row, row, row, row, row, row}}}, "at most 5 components, got 6"},
		{"modal on modal", ixModalSubmit, "show_modal", []any{map[string]any{"custom_id": "m", "title": "t", "components": []any{row}}}, "cannot be shown in answer to a modal submit"},
		{"autocomplete string", ixAutocomplete, "respond", []any{"x"}, "takes a list of choices, got string"},
		{"autocomplete too many", ixAutocomplete, "respond", []any{make([]any, 26)}, "at most 25 autocomplete choices"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			_, err := f.method(ixObject(tt.typ), tt.method, tt.args...)
			usageErr(t, err)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want %q", err, tt.want)
			}
			if f.rec.count() != 0 {
				t.Error("a rejected call reached the platform")
			}
		})
	}
	f := newFixture(t)
	_, err := f.method(&Object{Kind: KindInteraction, Raw: json.RawMessage(`{"id":"1"}`)}, "respond", "x")
	if err == nil || !strings.Contains(err.Error(), "must be called on an interaction") {
		t.Errorf("respond on data without a token: %v", err)
	}
}
