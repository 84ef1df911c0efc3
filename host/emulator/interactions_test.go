package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func callbackPath(p *Pending) string {
	return "/api/v10/interactions/" + p.ID + "/" + p.Token + "/callback"
}

func webhookPath(s *Server, p *Pending) string {
	return "/api/v10/webhooks/" + s.ApplicationID() + "/" + p.Token
}

func TestInteractionCallbackAndDoubleAck(t *testing.T) {
	clock := newClock()
	s := start(t, Options{Now: clock.Now})
	out, stop := s.Subscribe()
	defer stop()
	c, _, _ := connect(t, s, allIntents, nil)
	c.expectDispatch("GUILD_CREATE")

	p, err := s.InjectCommand("echo", Opt("text", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	f := c.expectDispatch("INTERACTION_CREATE")
	ix := unmarshal[struct {
		ID, Token, ApplicationID string
		Type                     int
		Data                     struct {
			Name    string `json:"name"`
			Options []struct {
				Name  string `json:"name"`
				Type  int    `json:"type"`
				Value any    `json:"value"`
			} `json:"options"`
		} `json:"data"`
		Member *Member `json:"member"`
	}](t, f.D)
	if ix.ID != p.ID || ix.Token != p.Token || ix.Type != 2 || ix.Data.Name != "echo" || len(ix.Data.Options) != 1 ||
		ix.Data.Options[0].Value != "hi" || ix.Data.Options[0].Type != 3 || ix.Member == nil || ix.Member.Permissions == "" {
		t.Fatalf("INTERACTION_CREATE %s", f.D)
	}
	if string(p.Raw) != string(f.D) {
		t.Fatal("Pending.Raw differs from the dispatched data")
	}
	if _, ok := p.Response(); ok {
		t.Fatal("Response before the bot answered")
	}
	// No Authorization header: interaction endpoints authenticate by token.
	resp, body := apiAuth(t, s, "POST", callbackPath(p), map[string]any{"type": 4, "data": map[string]any{"content": "hi back", "flags": 64}}, "")
	wantStatus(t, resp, body, 204)
	if resp.Header.Get("Content-Type") != "" {
		t.Fatal("204 carries a Content-Type")
	}
	r, err := p.Wait(ctxTimeout(t))
	if err != nil || r.Type != 4 || r.Content != "hi back" || !r.Ephemeral {
		t.Fatalf("Wait = %+v, %v", r, err)
	}
	if o := nextOutput(t, out, OutInteractionResponse); o.InteractionID != p.ID || o.Content != "hi back" || !o.Ephemeral ||
		o.String() != "interaction "+p.ID+": message: hi back (ephemeral)" {
		t.Fatalf("output %+v %q", o, o.String())
	}
	// A second ack, with auth this time, is 40060.
	resp, body = api(t, s, "POST", callbackPath(p), map[string]any{"type": 4, "data": map[string]any{"content": "again"}})
	wantStatus(t, resp, body, 400)
	if e := decodeErr(t, body); e.Code != 40060 {
		t.Fatalf("double ack: %s", body)
	}
	// Wrong token.
	resp, body = api(t, s, "POST", "/api/v10/interactions/"+p.ID+"/nope/callback", map[string]any{"type": 4})
	wantStatus(t, resp, body, 404)
	if e := decodeErr(t, body); e.Code != 10062 {
		t.Fatalf("wrong token: %s", body)
	}
}

func TestInteractionDeadlines(t *testing.T) {
	clock := newClock()
	s := start(t, Options{Now: clock.Now})
	late, _ := s.InjectCommand("slow")
	clock.Advance(3*time.Second + time.Millisecond)
	resp, body := api(t, s, "POST", callbackPath(late), map[string]any{"type": 5})
	wantStatus(t, resp, body, 404)
	if e := decodeErr(t, body); e.Code != 10062 || e.Message != "Unknown interaction" {
		t.Fatalf("late ack: %s", body)
	}

	p, _ := s.InjectCommand("defer")
	clock.Advance(2 * time.Second)
	resp, body = api(t, s, "POST", callbackPath(p), map[string]any{"type": 5})
	wantStatus(t, resp, body, 204)
	clock.Advance(14 * time.Minute)
	resp, body = api(t, s, "POST", webhookPath(s, p), map[string]any{"content": "in time"})
	wantStatus(t, resp, body, 204)
	clock.Advance(time.Minute)
	resp, body = api(t, s, "POST", webhookPath(s, p), map[string]any{"content": "too late"})
	wantStatus(t, resp, body, 401)
	if e := decodeErr(t, body); e.Code != 50027 {
		t.Fatalf("expired token: %s", body)
	}
}

func TestDeferFollowupAndOriginal(t *testing.T) {
	s := start(t, Options{})
	out, stop := s.Subscribe()
	defer stop()
	c, _, _ := connect(t, s, allIntents, nil)
	c.expectDispatch("GUILD_CREATE")
	p, _ := s.InjectCommand("work")
	c.expectDispatch("INTERACTION_CREATE")

	// A followup before any ack is refused.
	resp, body := api(t, s, "POST", webhookPath(s, p), map[string]any{"content": "early"})
	wantStatus(t, resp, body, 404)
	if e := decodeErr(t, body); e.Code != 10015 {
		t.Fatalf("early followup: %s", body)
	}
	resp, body = api(t, s, "POST", callbackPath(p)+"?with_response=true", map[string]any{"type": 5})
	wantStatus(t, resp, body, 200)
	cb := unmarshal[struct {
		Interaction struct {
			ID                     string `json:"id"`
			ResponseMessageID      string `json:"response_message_id"`
			ResponseMessageLoading bool   `json:"response_message_loading"`
		} `json:"interaction"`
		Resource struct {
			Type    int     `json:"type"`
			Message Message `json:"message"`
		} `json:"resource"`
	}](t, body)
	if cb.Interaction.ID != p.ID || !cb.Interaction.ResponseMessageLoading || cb.Resource.Type != 5 || cb.Resource.Message.Flags&flagLoading == 0 {
		t.Fatalf("with_response: %s", body)
	}
	loading := unmarshal[Message](t, c.expectDispatch("MESSAGE_CREATE").D)
	if loading.ID != cb.Interaction.ResponseMessageID || loading.Type != 20 || loading.WebhookID == "" || len(loading.Interaction) == 0 {
		t.Fatalf("deferred message %+v", loading)
	}

	// The first followup completes the deferred original.
	resp, body = api(t, s, "POST", webhookPath(s, p)+"?wait=true", map[string]any{"content": "done"})
	wantStatus(t, resp, body, 200)
	if m := unmarshal[Message](t, body); m.ID != loading.ID || m.Content != "done" || m.Flags&flagLoading != 0 {
		t.Fatalf("first followup %s", body)
	}
	if f := c.expectDispatch("MESSAGE_UPDATE"); unmarshal[Message](t, f.D).Content != "done" {
		t.Fatalf("MESSAGE_UPDATE %s", f.D)
	}
	// A second followup is a new message.
	resp, body = api(t, s, "POST", webhookPath(s, p)+"?wait=true", map[string]any{"content": "more"})
	wantStatus(t, resp, body, 200)
	second := unmarshal[Message](t, body)
	if second.ID == loading.ID {
		t.Fatal("second followup reused the original")
	}
	if o := nextOutput(t, out, OutFollowup); o.Content != "done" || o.InteractionID != p.ID {
		t.Fatalf("followup output %+v", o)
	}

	// Edit and read @original.
	resp, body = api(t, s, "PATCH", webhookPath(s, p)+"/messages/@original", map[string]any{"content": "edited"})
	wantStatus(t, resp, body, 200)
	if o := nextOutput(t, out, OutOriginalEdit); o.Content != "edited" || o.MessageID != loading.ID {
		t.Fatalf("original edit output %+v", o)
	}
	resp, body = apiAuth(t, s, "GET", webhookPath(s, p)+"/messages/@original", nil, "")
	wantStatus(t, resp, body, 200)
	if m := unmarshal[Message](t, body); m.Content != "edited" || m.EditedTimestamp == nil {
		t.Fatalf("@original %s", body)
	}
	// Edit the followup by id, then delete both.
	resp, body = api(t, s, "PATCH", webhookPath(s, p)+"/messages/"+second.ID, map[string]any{"content": "more!"})
	wantStatus(t, resp, body, 200)
	resp, body = api(t, s, "DELETE", webhookPath(s, p)+"/messages/@original", nil)
	wantStatus(t, resp, body, 204)
	if o := nextOutput(t, out, OutOriginalDelete); o.MessageID != loading.ID {
		t.Fatalf("original delete %+v", o)
	}
	resp, body = api(t, s, "GET", webhookPath(s, p)+"/messages/@original", nil)
	wantStatus(t, resp, body, 404)
	resp, body = api(t, s, "PATCH", webhookPath(s, p)+"/messages/1", map[string]any{"content": "x"})
	wantStatus(t, resp, body, 404)
	resp, body = api(t, s, "POST", "/api/v10/webhooks/1/"+p.Token, map[string]any{"content": "x"})
	wantStatus(t, resp, body, 404)
}

func TestCallbackValidation(t *testing.T) {
	s := start(t, Options{})
	tests := []struct {
		name  string
		kind  InteractionKind
		body  any
		field string
	}{
		{"no type", KindCommand, map[string]any{}, "type"},
		{"choices for a command", KindCommand, map[string]any{"type": 8, "data": map[string]any{"choices": []any{}}}, "INTERACTION_RESPONSE_TYPE_INVALID"},
		{"update on a command", KindCommand, map[string]any{"type": 7, "data": map[string]any{"content": "x"}}, "INTERACTION_RESPONSE_TYPE_INVALID"},
		{"empty message", KindCommand, map[string]any{"type": 4, "data": map[string]any{"content": ""}}, ""},
		{"modal without title", KindCommand, map[string]any{"type": 9, "data": map[string]any{"custom_id": "m", "components": []any{map[string]any{}}}}, "title"},
		{"modal without components", KindCommand, map[string]any{"type": 9, "data": map[string]any{"custom_id": "m", "title": "T"}}, "components"},
		{"modal on a modal", KindModal, map[string]any{"type": 9, "data": map[string]any{"custom_id": "m", "title": "T", "components": []any{1}}}, "INTERACTION_RESPONSE_TYPE_INVALID"},
		{"message for autocomplete", KindAutocomplete, map[string]any{"type": 4, "data": map[string]any{"content": "x"}}, "INTERACTION_RESPONSE_TYPE_INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := InteractionSpec{Kind: tt.kind, Name: "cmd", CustomID: "m", Options: []Option{{Name: "q", Value: "", Focused: true}}}
			p, err := s.InjectInteraction(spec)
			if err != nil {
				t.Fatal(err)
			}
			resp, body := api(t, s, "POST", callbackPath(p), tt.body)
			wantStatus(t, resp, body, 400)
			if e := decodeErr(t, body); (e.Code != 50035 && e.Code != 50006) || !strings.Contains(string(e.Errors), tt.field) {
				t.Fatalf("body %s", body)
			}
			if _, ok := p.Response(); ok {
				t.Fatal("a refused callback resolved the Pending")
			}
			// A refused callback does not count as the ack.
			ok := map[InteractionKind]any{
				KindCommand:      map[string]any{"type": 5},
				KindModal:        map[string]any{"type": 6},
				KindAutocomplete: map[string]any{"type": 8, "data": map[string]any{"choices": []any{}}},
			}[tt.kind]
			resp, body = api(t, s, "POST", callbackPath(p), ok)
			wantStatus(t, resp, body, 204)
		})
	}
}

func TestComponentsModalsAutocomplete(t *testing.T) {
	s := start(t, Options{})
	c, _, _ := connect(t, s, allIntents, nil)
	c.expectDispatch("GUILD_CREATE")
	general := s.ChannelID("general")
	button := []any{map[string]any{"type": 1, "components": []any{map[string]any{"type": 2, "style": 1, "label": "Go", "custom_id": "go"}}}}
	_, body := api(t, s, "POST", "/api/v10/channels/"+general+"/messages", map[string]any{"content": "press", "components": button})
	withButton := unmarshal[Message](t, body)
	c.expectDispatch("MESSAGE_CREATE")

	// Button click: the interaction carries the message; type 7 edits it.
	p, err := s.InjectInteraction(InteractionSpec{Kind: KindComponent, CustomID: "go"})
	if err != nil {
		t.Fatal(err)
	}
	f := c.expectDispatch("INTERACTION_CREATE")
	click := unmarshal[struct {
		Type    int     `json:"type"`
		Message Message `json:"message"`
		Data    struct {
			CustomID      string `json:"custom_id"`
			ComponentType int    `json:"component_type"`
		} `json:"data"`
	}](t, f.D)
	if click.Type != 3 || click.Message.ID != withButton.ID || click.Data.CustomID != "go" || click.Data.ComponentType != 2 {
		t.Fatalf("component interaction %s", f.D)
	}
	resp, body := api(t, s, "POST", callbackPath(p), map[string]any{"type": 7, "data": map[string]any{"content": "pressed", "components": []any{}}})
	wantStatus(t, resp, body, 204)
	if m := unmarshal[Message](t, c.expectDispatch("MESSAGE_UPDATE").D); m.ID != withButton.ID || m.Content != "pressed" {
		t.Fatalf("update message %+v", m)
	}
	// A select menu.
	if _, err := s.InjectInteraction(InteractionSpec{Kind: KindComponent, MessageID: withButton.ID, CustomID: "pick", Values: []string{"a", "b"}}); err != nil {
		t.Fatal(err)
	}
	if f := c.expectDispatch("INTERACTION_CREATE"); !strings.Contains(string(f.D), `"values":["a","b"]`) || !strings.Contains(string(f.D), `"component_type":3`) {
		t.Fatalf("select %s", f.D)
	}
	if _, err := s.InjectInteraction(InteractionSpec{Kind: KindComponent, ChannelID: s.ChannelID("welcome"), CustomID: "x"}); err == nil {
		t.Fatal("component click without a message succeeded")
	}

	// Modal submit.
	p, _ = s.InjectInteraction(InteractionSpec{Kind: KindModal, CustomID: "form", Fields: []Field{{"text", "hello there"}}})
	if f := c.expectDispatch("INTERACTION_CREATE"); !strings.Contains(string(f.D), `{"custom_id":"text","type":4,"value":"hello there"}`) {
		t.Fatalf("modal submit %s", f.D)
	}
	resp, body = api(t, s, "POST", callbackPath(p), map[string]any{"type": 4, "data": map[string]any{"content": "thanks"}})
	wantStatus(t, resp, body, 204)
	c.expectDispatch("MESSAGE_CREATE")

	// Autocomplete: partial values stay strings even for integer options.
	p, _ = s.InjectInteraction(InteractionSpec{Kind: KindAutocomplete, Name: "feedback", Options: []Option{{Name: "area", Value: "do", Focused: true}}})
	f = c.expectDispatch("INTERACTION_CREATE")
	if !strings.Contains(string(f.D), `"focused":true`) || !strings.Contains(string(f.D), `"value":"do"`) || !strings.Contains(string(f.D), `"type":4`) {
		t.Fatalf("autocomplete %s", f.D)
	}
	resp, body = api(t, s, "POST", callbackPath(p), map[string]any{"type": 8, "data": map[string]any{"choices": []any{map[string]any{"name": "docs", "value": "docs"}}}})
	wantStatus(t, resp, body, 204)
	r, _ := p.Wait(ctxTimeout(t))
	if r.Type != 8 || !strings.Contains(string(r.Data), "docs") {
		t.Fatalf("autocomplete response %+v", r)
	}
}

func TestInjectCommandOptions(t *testing.T) {
	s := start(t, Options{})
	cmds := []map[string]any{{
		"name": "admin", "description": "Admin tools",
		"options": []any{map[string]any{"type": 1, "name": "ban", "description": "Ban someone", "options": []any{
			map[string]any{"type": 6, "name": "who", "description": "Who", "required": true},
			map[string]any{"type": 4, "name": "days", "description": "Days"},
			map[string]any{"type": 5, "name": "quiet", "description": "Quiet"},
		}}},
	}}
	resp, body := api(t, s, "PUT", "/api/v10/applications/"+s.ApplicationID()+"/guilds/"+s.GuildID()+"/commands", cmds)
	wantStatus(t, resp, body, 200)
	cmdID := unmarshal[[]map[string]any](t, body)[0]["id"]

	p, err := s.InjectInteraction(InteractionSpec{Name: "admin", Subcommand: "ban",
		Options: []Option{Opt("who", s.TestUser().ID), Opt("days", "7"), Opt("quiet", "true")}})
	if err != nil {
		t.Fatal(err)
	}
	d := unmarshal[struct {
		Data struct {
			ID      string `json:"id"`
			GuildID string `json:"guild_id"`
			Options []struct {
				Name    string `json:"name"`
				Type    int    `json:"type"`
				Options []struct {
					Name  string          `json:"name"`
					Type  int             `json:"type"`
					Value json.RawMessage `json:"value"`
				} `json:"options"`
			} `json:"options"`
			Resolved struct {
				Users   map[string]User   `json:"users"`
				Members map[string]Member `json:"members"`
			} `json:"resolved"`
		} `json:"data"`
	}](t, p.Raw)
	if d.Data.ID != cmdID || d.Data.GuildID != s.GuildID() || len(d.Data.Options) != 1 || d.Data.Options[0].Name != "ban" || d.Data.Options[0].Type != 1 {
		t.Fatalf("data %s", p.Raw)
	}
	leaf := d.Data.Options[0].Options
	if len(leaf) != 3 || leaf[0].Type != 6 || leaf[1].Type != 4 || string(leaf[1].Value) != "7" || leaf[2].Type != 5 || string(leaf[2].Value) != "true" {
		t.Fatalf("leaf options %s", p.Raw)
	}
	if _, ok := d.Data.Resolved.Users[s.TestUser().ID]; !ok {
		t.Fatalf("resolved %s", p.Raw)
	}
	if _, ok := d.Data.Resolved.Members[s.TestUser().ID]; !ok {
		t.Fatalf("resolved members %s", p.Raw)
	}
	if _, err := s.InjectInteraction(InteractionSpec{Name: "admin", Subcommand: "ban", Options: []Option{Opt("days", "seven")}}); err == nil {
		t.Fatal("a non-integer for an integer option was accepted")
	}
	if _, err := s.InjectInteraction(InteractionSpec{Name: "x", UserID: "1"}); err == nil {
		t.Fatal("an unknown user was accepted")
	}
	// A DM interaction carries user instead of member.
	p, _ = s.InjectInteraction(InteractionSpec{Name: "ping", ChannelID: s.DMChannelID()})
	if raw := string(p.Raw); !strings.Contains(raw, `"user":{`) || strings.Contains(raw, `"member"`) || !strings.Contains(raw, `"context":1`) {
		t.Fatalf("DM interaction %s", p.Raw)
	}
}

func TestInjectInteractionInOtherGuild(t *testing.T) {
	s := start(t, Options{Guilds: 2})
	g2 := s.GuildIDs()[1]
	p, err := s.InjectInteraction(InteractionSpec{Name: "ping", GuildID: g2})
	if err != nil {
		t.Fatal(err)
	}
	d := unmarshal[struct {
		GuildID   string `json:"guild_id"`
		ChannelID string `json:"channel_id"`
	}](t, p.Raw)
	if d.GuildID != g2 || d.ChannelID != s.ChannelIn(g2, "general") {
		t.Fatalf("interaction in guild 2: %s", p.Raw)
	}
	if _, err := s.InjectInteraction(InteractionSpec{Name: "ping", GuildID: "1"}); err == nil {
		t.Fatal("unknown guild accepted")
	}
}

func TestPendingWaitHonoursContext(t *testing.T) {
	s := start(t, Options{})
	p, err := s.InjectCommand("ignored")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait on a cancelled context = %v", err)
	}
}

// TestClickOnEphemeralMessage clicks a button of an ephemeral reply, the
// shape of a "/feedback → button → modal" flow.
func TestClickOnEphemeralMessage(t *testing.T) {
	s := start(t, Options{})
	c, _, _ := connect(t, s, allIntents, nil)
	c.expectDispatch("GUILD_CREATE")
	p, _ := s.InjectCommand("feedback", Opt("topic", "bug"))
	c.expectDispatch("INTERACTION_CREATE")
	button := []any{map[string]any{"type": 1, "components": []any{map[string]any{"type": 2, "style": 1, "label": "Write", "custom_id": "feedback:open:bug"}}}}
	resp, body := api(t, s, "POST", callbackPath(p)+"?with_response=true", map[string]any{"type": 4, "data": map[string]any{"content": "Feedback about bug", "flags": 64, "components": button}})
	wantStatus(t, resp, body, 200)
	ephemeralID := unmarshal[struct {
		Interaction struct {
			ResponseMessageID string `json:"response_message_id"`
		} `json:"interaction"`
	}](t, body).Interaction.ResponseMessageID

	click, err := s.InjectInteraction(InteractionSpec{Kind: KindComponent, CustomID: "feedback:open:bug"})
	if err != nil {
		t.Fatal(err)
	}
	f := c.expectDispatch("INTERACTION_CREATE") // no MESSAGE_CREATE came for the ephemeral reply
	if m := unmarshal[struct{ Message Message }](t, f.D).Message; m.ID != ephemeralID || m.Flags&flagEphemeral == 0 {
		t.Fatalf("clicked message %+v", m)
	}
	resp, body = api(t, s, "POST", callbackPath(click), map[string]any{"type": 9, "data": map[string]any{"custom_id": "feedback_form:bug", "title": "Feedback",
		"components": []any{map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "text", "label": "Text", "style": 2}}}}}})
	wantStatus(t, resp, body, 204)
	if r, _ := click.Wait(ctxTimeout(t)); r.Type != 9 || r.Content != "Feedback" {
		t.Fatalf("modal response %+v", r)
	}
	// The same message by id, and an update of it, which is not dispatched.
	again, err := s.InjectInteraction(InteractionSpec{Kind: KindComponent, MessageID: ephemeralID, CustomID: "feedback:open:bug"})
	if err != nil {
		t.Fatal(err)
	}
	c.expectDispatch("INTERACTION_CREATE")
	resp, body = api(t, s, "POST", callbackPath(again), map[string]any{"type": 7, "data": map[string]any{"content": "closed", "components": []any{}}})
	wantStatus(t, resp, body, 204)
	if _, err := s.InjectMessage(s.ChannelID("general"), "next"); err != nil {
		t.Fatal(err)
	}
	if f := c.expectDispatch("MESSAGE_CREATE"); unmarshal[Message](t, f.D).Content != "next" {
		t.Fatalf("an ephemeral update was dispatched: %s", f.D)
	}
}

func TestContextMenuTargets(t *testing.T) {
	s := start(t, Options{})
	m, _ := s.InjectMessage(s.ChannelID("general"), "quote me")
	p, err := s.InjectInteraction(InteractionSpec{Name: "Quote", CommandType: 3, TargetID: m.ID})
	if err != nil {
		t.Fatal(err)
	}
	if raw := string(p.Raw); !strings.Contains(raw, `"target_id":"`+m.ID+`"`) || !strings.Contains(raw, `"messages":{"`+m.ID+`":{`) {
		t.Fatalf("message command %s", raw)
	}
	p, err = s.InjectInteraction(InteractionSpec{Name: "Info", CommandType: 2, TargetID: s.TestUser().ID})
	if err != nil {
		t.Fatal(err)
	}
	if raw := string(p.Raw); !strings.Contains(raw, `"users":{"`+s.TestUser().ID+`"`) || !strings.Contains(raw, `"members":{`) {
		t.Fatalf("user command %s", raw)
	}
	for _, spec := range []InteractionSpec{
		{Name: "Quote", CommandType: 3, TargetID: "1"},
		{Name: "Info", CommandType: 2, TargetID: "1"},
		{Name: "Info", CommandType: 2},
	} {
		if _, err := s.InjectInteraction(spec); err == nil {
			t.Errorf("%+v accepted", spec)
		}
	}
}
