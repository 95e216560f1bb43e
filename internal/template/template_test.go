package template

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/chat"
)

func TestRewriteFilters(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"{{ x | tojson }}", "{{ ( x | atelier_tojson ) | atelier_print }}"},
		{"{{x|tojson(indent=4)}}", "{{ (x|atelier_tojson(indent=4)) | atelier_print }}"},
		{"{{- x -}}", "{{- ( x ) | atelier_print -}}"},
		{"{{ '}}' }}", "{{ ( '}}' ) | atelier_print }}"},
		{"{{ }}", "{{ }}"},
		{"{{ x", "{{ x"},
		{"{%- set y = x|string -%}", "{%- set y = x|atelier_string -%}"},
		{"{% if x is string %}|tojson{% endif %}", "{% if x is string %}|tojson{% endif %}"},
		{"{% set a = '| tojson' ~ x | tojsonish %}", "{% set a = '| tojson' ~ x | tojsonish %}"},
		{`{% set a = "a\"|tojson" | tojson %}`, `{% set a = "a\"|tojson" | atelier_tojson %}`},
		{"{# x | tojson #}{% set a = a | string | tojson %}", "{# x | tojson #}{% set a = a | atelier_string | atelier_tojson %}"},
		{"{% raw %}{{ x | tojson }}{% endraw %}{% set x = x | tojson %}", "{% raw %}{{ x | tojson }}{% endraw %}{% set x = x | atelier_tojson %}"},
		{"a { b } {% x %", "a { b } {% x %"},
		{"{% set a = x | trim | tojson %}", "{% set a = x | trim | atelier_tojson %}"},
		{"", ""},
		{"{", "{"},
	} {
		if got := rewriteFilters(c.in); got != c.want {
			t.Errorf("rewriteFilters(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

func TestFallback(t *testing.T) {
	msgs := []chat.Message{
		{Role: chat.RoleSystem, Content: "Be brief."},
		{Role: chat.RoleUser, Content: "List files."},
		{Role: chat.RoleAssistant, ToolCalls: []chat.ToolCall{{ID: "1", Name: "ls", Arguments: json.RawMessage(`{"dir": "."}`)}}},
		{Role: chat.RoleTool, ToolCallID: "1", Content: "a.go"},
		{Role: chat.RoleAssistant, Content: "One file."},
	}
	tools := []chat.Tool{{Name: "ls", Description: "List a directory.", Parameters: json.RawMessage(`{"type":"object","properties":{"dir":{"type":"string"}}}`)}}
	for _, c := range []struct {
		name string
		req  Request
		want string
	}{
		{"plain", Request{Messages: msgs[:2], AddGenerationPrompt: true},
			"<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nList files.<|im_end|>\n<|im_start|>assistant\n"},
		{"empty", Request{AddGenerationPrompt: true}, "<|im_start|>assistant\n"},
		{"no system", Request{Messages: msgs[1:2]},
			"<|im_start|>user\nList files.<|im_end|>\n"},
		{"tools", Request{Messages: msgs, Tools: tools},
			"<|im_start|>system\nBe brief.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
				"You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n" +
				`{"type": "function", "function": {"name": "ls", "description": "List a directory.", "parameters": {"type": "object", "properties": {"dir": {"type": "string"}}}}}` +
				"\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n" +
				"<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" +
				"<|im_start|>user\nList files.<|im_end|>\n" +
				"<|im_start|>assistant\n<tool_call>\n{\"name\": \"ls\", \"arguments\": {\"dir\": \".\"}}\n</tool_call><|im_end|>\n" +
				"<|im_start|>user\n<tool_response>\na.go\n</tool_response><|im_end|>\n" +
				"<|im_start|>assistant\nOne file.<|im_end|>\n"},
	} {
		got, err := Fallback().Render(c.req)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s:\ngot  %q\nwant %q", c.name, got, c.want)
		}
	}
	if Fallback().Source() != FallbackSource() {
		t.Error("Fallback().Source() differs from FallbackSource()")
	}
}

func TestRenderErrors(t *testing.T) {
	if _, err := New("{% if x %}unclosed"); err == nil || !strings.HasPrefix(err.Error(), "template: ") {
		t.Errorf("New(unclosed if) = %v; want a template: error", err)
	}
	tmpl, err := New(`{{ raise_exception("no " + what) }}`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tmpl.Render(Request{Extra: map[string]any{"what": "way"}})
	if !errors.Is(err, ErrRaised) || !strings.HasSuffix(err.Error(), ": no way") {
		t.Errorf("raise_exception gave %v; want ErrRaised ending in %q", err, ": no way")
	}
	tmpl, err = New(`{{ tools | tojson }}`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tmpl.Render(Request{Tools: []chat.Tool{{Name: "bad", Parameters: json.RawMessage(`{"type":`)}}})
	if err == nil || !strings.Contains(err.Error(), `tool "bad"`) {
		t.Errorf("bad tool parameters gave %v; want an error naming the tool", err)
	}
}

func TestRenderVariables(t *testing.T) {
	tmpl, err := New(`{{ bos_token }}|{{ eos_token is defined }}|{{ enable_thinking is defined }}|{{ tools is none }}|` +
		`{{ messages[0].tool_calls[0].function.arguments | tojson }}|{{ messages[0].tool_calls[0].function.arguments is string }}|` +
		`{{ messages[1].tool_calls is defined }}|{{ extra | tojson }}|{{ raw | tojson }}`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tmpl.Render(Request{
		Messages: []chat.Message{
			{Role: "assistant", ToolCalls: []chat.ToolCall{{Name: "f", Arguments: json.RawMessage(`{"z": 1, "a": [true]}`)}}},
			{Role: "user", Content: "hi"},
		},
		BOS: "<s>",
		Extra: map[string]any{
			"extra": map[string]any{"b": 1.5, "a": []any{"x", nil}},
			"raw":   json.RawMessage(`{"z": 0, "a": 1}`),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `<s>|False|False|True|{"z": 1, "a": [true]}|False|False|{"a": ["x", null], "b": 1.5}|{"z": 0, "a": 1}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}

	// Arguments that are not JSON reach the template as a string.
	tmpl, err = New(`{{ messages[0].tool_calls[0].function.arguments is string }}:{{ messages[0].tool_calls[0].function.arguments }}`)
	if err != nil {
		t.Fatal(err)
	}
	got, err = tmpl.Render(Request{Messages: []chat.Message{{Role: "assistant", ToolCalls: []chat.ToolCall{{Name: "f", Arguments: json.RawMessage(`{oops`)}}}}})
	if err != nil || got != "True:{oops" {
		t.Errorf("got (%q, %v); want True:{oops", got, err)
	}
}

func TestPrintLikePython(t *testing.T) {
	tmpl, err := New(`{{ none }}|{{ 2.0 }}|{{ 0.00001 }}|{{ [1, 'a', "it's"] }}|{{ x }}|{{ undefined_name }}|{{ true }}`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tmpl.Render(Request{Extra: map[string]any{"x": json.RawMessage(`{"a": null, "b": [1.5]}`)}})
	if err != nil {
		t.Fatal(err)
	}
	// Python jinja2 renders the same template to this.
	want := `None|2.0|1e-05|[1, 'a', "it's"]|{'a': None, 'b': [1.5]}||True`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
