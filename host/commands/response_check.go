package commands

import (
	"fmt"
	"math"
	"unicode/utf8"
)

// ResponseError is a response a handler built wrongly; it is reported to
// the handler before anything is sent.
type ResponseError struct{ Msg string }

func (e *ResponseError) Error() string { return e.Msg }

func responseErrorf(format string, args ...any) error {
	return &ResponseError{Msg: fmt.Sprintf(format, args...)}
}

// checkResponse validates the data of an initial response of kind for an
// interaction of ix.Type.
func checkResponse(ix Interaction, kind int, data map[string]any) error {
	switch kind {
	case RespondMessage, RespondDefer:
		if ix.Type == TypeAutocomplete {
			return responseErrorf("an autocomplete interaction can only be answered with choices")
		}
	case RespondDeferUpdate, RespondUpdate:
		if ix.Type != TypeComponent && ix.Type != TypeModalSubmit {
			return responseErrorf("update and deferred update only answer components and modal submits")
		}
	case RespondAutocomplete:
		if ix.Type != TypeAutocomplete {
			return responseErrorf("autocomplete choices only answer autocomplete interactions")
		}
		return checkChoices(data["choices"])
	case RespondModal:
		if ix.Type == TypeModalSubmit || ix.Type == TypeAutocomplete {
			return responseErrorf("a modal cannot answer a modal submit or an autocomplete")
		}
		return checkModal(data)
	default:
		return responseErrorf("unknown response type %d", kind)
	}
	if c, ok := data["content"].(string); ok && utf8.RuneCountInString(c) > 2000 {
		return responseErrorf("content is %d characters, the limit is 2000", utf8.RuneCountInString(c))
	}
	if e, ok := data["embeds"].([]any); ok && len(e) > 10 {
		return responseErrorf("%d embeds, the limit is 10", len(e))
	}
	return nil
}

func checkChoices(raw any) error {
	var list []any
	switch v := raw.(type) {
	case nil:
	case []any:
		list = v
	case []map[string]any:
		for _, m := range v {
			list = append(list, m)
		}
	default:
		return responseErrorf("choices must be a list of {name, value}")
	}
	if len(list) > maxChoices {
		return responseErrorf("%d autocomplete choices, the limit is %d", len(list), maxChoices)
	}
	for i, c := range list {
		m, ok := c.(map[string]any)
		if !ok {
			return responseErrorf("choice %d must be a table with name and value", i+1)
		}
		name, _ := m["name"].(string)
		if n := utf8.RuneCountInString(name); n < 1 || n > maxChoiceName {
			return responseErrorf("choice %d: name must be 1-%d characters", i+1, maxChoiceName)
		}
		switch v := m["value"].(type) {
		case string:
			if n := utf8.RuneCountInString(v); n > maxChoiceValue {
				return responseErrorf("choice %d: value is %d characters, the limit is %d", i+1, n, maxChoiceValue)
			}
		default:
			if f, ok := toFloat(v); !ok || math.IsNaN(f) || math.IsInf(f, 0) {
				return responseErrorf("choice %d: value must be a string or a number", i+1)
			}
		}
	}
	return nil
}

func checkModal(data map[string]any) error {
	id, _ := data["custom_id"].(string)
	if n := utf8.RuneCountInString(id); n < 1 || n > 100 {
		return responseErrorf("modal custom_id must be 1-100 characters")
	}
	title, _ := data["title"].(string)
	if n := utf8.RuneCountInString(title); n < 1 || n > 45 {
		return responseErrorf("modal title must be 1-45 characters")
	}
	n := 0
	switch c := data["components"].(type) {
	case []any:
		n = len(c)
	case []map[string]any:
		n = len(c)
	}
	if n < 1 || n > 5 {
		return responseErrorf("a modal needs 1-5 components (action rows), got %d", n)
	}
	return nil
}

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case int32:
		return float64(v), true
	}
	return 0, false
}

func toInt(v any) (int, bool) {
	f, ok := toFloat(v)
	return int(f), ok
}
