package jsondoc

import (
	"errors"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestParseValues(t *testing.T) {
	tests := []struct {
		name, in string
		want     any
	}{
		{"null", `null`, nil},
		{"true", ` true `, true},
		{"false", "\t\r\nfalse\n", false},
		{"zero", `0`, num("0")},
		{"negative zero", `-0`, num("-0")},
		{"fraction", `-12.500`, num("-12.500")},
		{"exponent", `1E+2`, num("1E+2")},
		{"exponent lower neg", `2.5e-10`, num("2.5e-10")},
		{"big int kept exactly", `12345678901234567890123`, num("12345678901234567890123")},
		{"snowflake string", `"1309478234459381810"`, "1309478234459381810"},
		{"empty string", `""`, ""},
		{"plain", `"hello world"`, "hello world"},
		{"utf8 as is", `"héllo ✨ 𝄞"`, "héllo ✨ 𝄞"},
		{"escapes", `"\" \\ \/ \b \f \n \r \t"`, "\" \\ / \b \f \n \r \t"},
		{"unicode escape", `"\u00e9\u2728"`, "é✨"},
		{"unicode upper hex", `"\u00E9"`, "é"},
		{"nul escape", `"a\u0000b"`, "a\x00b"},
		{"surrogate pair", `"\ud834\udd1e"`, "𝄞"},
		{"lone high surrogate", `"\ud834x"`, "\uFFFDx"},
		{"lone low surrogate", `"\udd1e"`, "\uFFFD"},
		{"high then non-low escape", `"\ud834\u0041"`, "\uFFFDA"},
		{"invalid utf8 replaced", "\"a\xffb\"", "a\uFFFDb"},
		{"escape after text", `"abc\ndef"`, "abc\ndef"},
		{"empty array", `[ ]`, []any{}},
		{"empty object", `{ }`, map[string]any{}},
		{"nested", `{"a":[1,"x",{"b":true}],"n":null}`, map[string]any{
			"a": []any{num("1"), "x", map[string]any{"b": true}}, "n": nil}},
		{"escaped key", `{"a\nb":1}`, map[string]any{"a\nb": num("1")}},
		{"duplicate key last wins", `{"a":1,"a":2}`, map[string]any{"a": num("2")}},
		{"whitespace everywhere", " { \"a\" : [ 1 , 2 ] } ", map[string]any{"a": []any{num("1"), num("2")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := toAny(d.Root()); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		offset   int
		msg      string
	}{
		{"empty", ``, 0, "unexpected end of input"},
		{"only space", `   `, 3, "unexpected end of input"},
		{"bad start", `x`, 0, "looking for beginning of value"},
		{"trailing garbage", `{} x`, 3, "after top-level value"},
		{"two values", `1 2`, 2, "after top-level value"},
		{"leading zero", `01`, 1, "after top-level value"},
		{"plus sign", `+1`, 0, "looking for beginning of value"},
		{"lone minus", `-`, 1, "unexpected end of input"},
		{"minus letter", `-a`, 1, "in number"},
		{"dot no digits", `1.`, 2, "unexpected end of input"},
		{"dot letter", `1.e5`, 2, "after the decimal point"},
		{"leading dot", `.5`, 0, "looking for beginning of value"},
		{"exp no digits", `1e+`, 3, "unexpected end of input"},
		{"exp letter", `1ex`, 2, "in the exponent"},
		{"hex number", `0x1`, 1, "after top-level value"},
		{"NaN", `NaN`, 0, "looking for beginning of value"},
		{"bad literal", `tru`, 3, "unexpected end of input"},
		{"bad literal char", `nul1`, 3, "in literal null"},
		{"unterminated string", `"abc`, 4, "unexpected end of input"},
		{"unterminated after escape", `"a\n`, 4, "unexpected end of input"},
		{"raw newline", "\"a\nb\"", 2, "control character"},
		{"raw tab", "\"a\tb\"", 2, "control character"},
		{"bad escape", `"a\x"`, 3, "invalid escape character 'x'"},
		{"short unicode", `"\u12"`, 5, `in \u escape`},
		{"bad hex", `"\u12g4"`, 5, `in \u escape`},
		{"single quotes", `'a'`, 0, "looking for beginning of value"},
		{"unclosed array", `[1,2`, 4, "unexpected end of input"},
		{"trailing comma array", `[1,]`, 3, "looking for beginning of value"},
		{"missing comma", `[1 2]`, 3, "after array element"},
		{"unclosed object", `{"a":1`, 6, "unexpected end of input"},
		{"trailing comma object", `{"a":1,}`, 7, "object key string"},
		{"unquoted key", `{a:1}`, 1, "object key string"},
		{"missing colon", `{"a" 1}`, 5, "after object key"},
		{"missing value", `{"a":}`, 5, "looking for beginning of value"},
		{"object missing comma", `{"a":1 "b":2}`, 7, "after object key:value pair"},
		{"mismatched close", `[1}`, 2, "after array element"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error = %v, want *SyntaxError", tt.in, err)
			}
			if se.Offset != tt.offset || !strings.Contains(se.Msg, tt.msg) {
				t.Fatalf("Parse(%q) = offset %d %q, want offset %d containing %q", tt.in, se.Offset, se.Msg, tt.offset, tt.msg)
			}
			if !strings.Contains(err.Error(), "byte offset") {
				t.Fatalf("error text %q does not give the offset", err)
			}
		})
	}
}

func TestDepthLimit(t *testing.T) {
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if _, err := Parse([]byte(ok)); err != nil {
		t.Fatalf("depth %d rejected: %v", MaxDepth, err)
	}
	deep := strings.Repeat(`{"a":`, MaxDepth) + "[1]" + strings.Repeat("}", MaxDepth)
	_, err := Parse([]byte(deep))
	if !errors.Is(err, ErrTooDeep) {
		t.Fatalf("depth %d: error %v, want ErrTooDeep", MaxDepth+1, err)
	}
	var se *SyntaxError
	if !errors.As(err, &se) || se.Offset != 5*MaxDepth {
		t.Fatalf("depth error %v, want offset %d", err, 5*MaxDepth)
	}
}

func TestAccessors(t *testing.T) {
	src := []byte(`{"a":[1,"x",{"b":true}],"id":"123456789012345678","n":null,"big":12345678901234567890,` +
		`"neg":-42,"f":1.5e3,"e":"tab\there","t":true,"f2":false,"a\"k":"q"}`)
	d, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	r := d.Root()
	get := func(k string) Value {
		t.Helper()
		v, ok := r.Get(k)
		if !ok {
			t.Fatalf("Get(%q) missing", k)
		}
		return v
	}
	if r.Kind() != Object || r.Len() != 10 {
		t.Fatalf("root kind %v len %d", r.Kind(), r.Len())
	}
	a := get("a")
	if a.Kind() != Array || a.Len() != 3 || a.Index(1).Str() != "x" || string(a.Raw()) != `[1,"x",{"b":true}]` {
		t.Fatalf("array: kind %v len %d raw %s", a.Kind(), a.Len(), a.Raw())
	}
	if b, _ := a.Index(2).Get("b"); !b.Bool() {
		t.Fatal("a[2].b should be true")
	}
	if a.Index(3).Kind() != Invalid || a.Index(-1).Kind() != Invalid {
		t.Fatal("out of range Index should be Invalid")
	}
	if n, ok := a.Index(0).Int(); !ok || n != 1 {
		t.Fatalf("Int = %d %v", n, ok)
	}
	if get("id").Str() != "123456789012345678" || get("id").NumberText() != "" {
		t.Fatal("id")
	}
	if get("n").Kind() != Null || string(get("n").Raw()) != "null" {
		t.Fatal("n")
	}
	big := get("big")
	if big.NumberText() != "12345678901234567890" || string(big.Raw()) != "12345678901234567890" {
		t.Fatalf("big %q %q", big.NumberText(), big.Raw())
	}
	if _, ok := big.Int(); ok {
		t.Fatal("big should not fit int64")
	}
	if big.Float() != 12345678901234567890 {
		t.Fatalf("big float %v", big.Float())
	}
	if n, ok := get("neg").Int(); !ok || n != -42 || get("neg").Float() != -42 {
		t.Fatalf("neg %d %v", n, ok)
	}
	if d, _ := Parse([]byte(`-0`)); !math.Signbit(d.Root().Float()) {
		t.Fatal("-0 should be negative zero")
	}
	if _, ok := get("f").Int(); ok || get("f").Float() != 1500 {
		t.Fatalf("f %v", get("f").Float())
	}
	if e := get("e"); e.Str() != "tab\there" || string(e.Raw()) != `"tab\there"` {
		t.Fatalf("e %q raw %s", e.Str(), e.Raw())
	}
	if !get("t").Bool() || get("f2").Bool() || get("id").Bool() {
		t.Fatal("bools")
	}
	if get(`a"k`).Str() != "q" {
		t.Fatal("escaped key lookup")
	}
	if k, v := r.Field(2); k != "n" || v.Kind() != Null {
		t.Fatalf("Field(2) = %q %v", k, v.Kind())
	}
	if k, _ := r.Field(9); k != `a"k` {
		t.Fatalf("Field(9) = %q", k)
	}
	if k, v := r.Field(10); k != "" || v.Kind() != Invalid {
		t.Fatal("Field out of range")
	}
	if _, ok := r.Get("absent"); ok {
		t.Fatal("absent key found")
	}
	// Wrong-kind and zero-Value reads are harmless zero values.
	var z Value
	if z.Kind() != Invalid || z.Str() != "" || z.Len() != 0 || z.Raw() != nil || z.Bool() || z.Index(0).Kind() != Invalid {
		t.Fatal("zero Value")
	}
	if _, ok := z.Get("a"); ok {
		t.Fatal("zero Value Get")
	}
	if a.Str() != "" || a.NumberText() != "" || get("id").Len() != 0 {
		t.Fatal("wrong-kind reads should be empty")
	}
	if _, ok := a.Get("x"); ok {
		t.Fatal("Get on array")
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Invalid: "invalid", Null: "null", Bool: "boolean", Number: "number", String: "string", Array: "array", Object: "object", Kind(99): "invalid"} {
		if k.String() != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, k.String(), want)
		}
	}
}

func TestMessageCreateFixture(t *testing.T) {
	src, err := os.ReadFile("testdata/message_create.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	r := d.Root()
	content, _ := r.Get("content")
	if !strings.HasPrefix(content.Str(), `!ping hey <@297041221104615424> can you look at the "staging"`) {
		t.Fatalf("content %q", content.Str())
	}
	author, _ := r.Get("author")
	if bot, ok := author.Get("bot"); !ok || bot.Kind() != Bool || bot.Bool() {
		t.Fatal("author.bot")
	}
	member, _ := r.Get("member")
	if nick, _ := member.Get("nick"); nick.Str() != "Rin ✨" {
		t.Fatalf("nick %q", nick.Str())
	}
	if m, _ := r.Get("mentions"); m.Len() != 1 {
		t.Fatalf("mentions %d", m.Len())
	}
}

func num(s string) any { return jsonNumber(s) }

// Parse builds every tape in reused working memory; a Doc must keep its
// values however many documents (good or bad) are parsed after it.
func TestDocsOutliveLaterParses(t *testing.T) {
	inputs := []string{
		`{"a\nb":"x\u00e9y","k":[1,"\ud83d\ude00",{"n":"\t"}]}`,
		`["q\"r", "s\\t", {"u": "\u2728"}]`,
		`{"broken": "\u12`,
		`"plain"`,
		`{"deep":[[[[{"x":"\/"}]]]]}`,
	}
	var docs []*Doc
	var want []any
	for _, in := range inputs {
		d, err := Parse([]byte(in))
		if err != nil {
			continue
		}
		docs = append(docs, d)
		want = append(want, toAny(d.Root()))
	}
	for range 50 {
		for _, in := range inputs {
			Parse([]byte(in))
		}
	}
	for i, d := range docs {
		if got := toAny(d.Root()); !reflect.DeepEqual(got, want[i]) {
			t.Fatalf("doc %d changed: %#v, was %#v", i, got, want[i])
		}
	}
}
