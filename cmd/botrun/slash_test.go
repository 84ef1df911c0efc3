package main

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestParseSlash(t *testing.T) {
	tests := []struct {
		in      string
		name    string
		path    []string
		opts    map[string]string
		wantErr bool
	}{
		{in: "/echo text:hello", name: "echo", opts: map[string]string{"text": "hello"}},
		{in: `/echo text:"hello world" n:3`, name: "echo", opts: map[string]string{"text": "hello world", "n": "3"}},
		{in: `/say msg:'it''s'`, name: "say", opts: map[string]string{"msg": "its"}},
		{in: `/say msg:"a \"quoted\" word"`, name: "say", opts: map[string]string{"msg": `a "quoted" word`}},
		{in: "/ping", name: "ping", opts: map[string]string{}},
		{in: "/config set key:volume value:3", name: "config", path: []string{"set"}, opts: map[string]string{"key": "volume", "value": "3"}},
		{in: "/x url:http://a:b", name: "x", opts: map[string]string{"url": "http://a:b"}},
		{in: "/", wantErr: true},
		{in: "echo", wantErr: true},
		{in: `/echo text:"open`, wantErr: true},
		{in: "/echo a:1 a:2", wantErr: true},
		{in: "/echo text:hello world", name: "echo", opts: map[string]string{"text": "hello world"}},
		{in: "/echo a:1 stray words b:2", name: "echo", opts: map[string]string{"a": "1 stray words", "b": "2"}},
		{in: `/echo text:"a:b" more`, name: "echo", opts: map[string]string{"text": "a:b more"}},
		{in: `/echo "not:an option"`, wantErr: true},
		{in: "/echo :x", wantErr: true},
	}
	for _, tt := range tests {
		sc, err := parseSlash(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("%q: want error, got %+v", tt.in, sc)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if sc.Name != tt.name || !reflect.DeepEqual(sc.Options, tt.opts) || !reflect.DeepEqual(sc.Path, tt.path) {
			t.Errorf("%q: got %+v", tt.in, sc)
		}
	}
}

func TestInteractionDataTypes(t *testing.T) {
	spec := map[string]any{"name": "roll", "options": []any{
		map[string]any{"name": "sides", "type": int64(4)},
		map[string]any{"name": "loud", "type": int64(5)},
		map[string]any{"name": "bias", "type": int64(10)},
	}}
	sc, err := parseSlash(`/roll sides:20 loud:true bias:0.5 note:"hi there"`)
	if err != nil {
		t.Fatal(err)
	}
	data, err := sc.interactionData(spec)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(data)
	want := `{"name":"roll","options":[{"name":"sides","type":4,"value":20},{"name":"loud","type":5,"value":true},{"name":"bias","type":10,"value":0.5},{"name":"note","type":3,"value":"hi there"}],"type":1}`
	if string(got) != want {
		t.Errorf("data = %s\nwant   %s", got, want)
	}
	sc, _ = parseSlash("/roll sides:many")
	if _, err := sc.interactionData(spec); err == nil {
		t.Error("want an error for a non-integer integer option")
	}
	sc, _ = parseSlash("/cfg set key:a")
	data, _ = sc.interactionData(nil)
	got, _ = json.Marshal(data)
	if want := `{"name":"cfg","options":[{"name":"set","options":[{"name":"key","type":3,"value":"a"}],"type":1}],"type":1}`; string(got) != want {
		t.Errorf("subcommand data = %s", got)
	}
}

func TestInteractionRoute(t *testing.T) {
	for in, want := range map[string]string{
		`{"type":2,"data":{"name":"echo"}}`:          "command/echo/",
		`{"type":3,"data":{"custom_id":"vote:yes"}}`: "component/vote:yes/",
		`{"type":5,"data":{"custom_id":"form"}}`:     "modal/form/",
		`{"type":4,"data":{"name":"pick","options":[{"name":"s","options":[{"name":"q","focused":true}]}]}}`: "autocomplete/pick/q",
	} {
		rt := interactionRoute(json.RawMessage(in))
		if rt == nil || rt.Kind+"/"+rt.Key+"/"+rt.Option != want {
			t.Errorf("%s → %+v, want %s", in, rt, want)
		}
	}
	if interactionRoute(json.RawMessage(`{"type":1}`)) != nil {
		t.Error("PING should not be routed")
	}
}
