package local

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/testshared"
	"github.com/atelier-dev/atelier/internal/tokenizer"
	"github.com/atelier-dev/atelier/internal/toolcall"
)

// plainChatML is a template that knows nothing of tools, as base models'.
const plainChatML = `{% for m in messages %}{{ '<|im_start|>' + m.role + '\n' + m.content + '<|im_end|>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}`

// TestToolsInText checks that with a template that ignores tools, the
// tools, the calls and their results still reach the model, as Hermes text
// the parser reads back; and that a template with tools is left alone.
func TestToolsInText(t *testing.T) {
	f, err := gguf.Open(testshared.Path(t, "testdata/vocab/ggml-vocab-qwen2.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	qwen, err := os.ReadFile(testshared.Path(t, "testdata/templates/Qwen-Qwen2.5-7B-Instruct.jinja"))
	if err != nil {
		t.Fatal(err)
	}
	msgs := []chat.Message{
		{Role: chat.RoleSystem, Content: "You are a coding agent."},
		{Role: chat.RoleUser, Content: "Read a.go."},
		{Role: chat.RoleAssistant, ToolCalls: []chat.ToolCall{{ID: "c1", Name: "read", Arguments: json.RawMessage(`{"file_path":"a.go"}`)}}},
		{Role: chat.RoleTool, ToolCallID: "c1", Name: "read", Content: "1\tpackage a"},
	}
	tools := []chat.Tool{readTool}

	plain, err := New(&recorder{tok: tok, tmpl: plainChatML, ctx: 4096}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !plain.toolsInText || plain.Format() != toolcall.Hermes {
		t.Fatalf("plain ChatML: toolsInText %v, format %v", plain.toolsInText, plain.Format())
	}
	text, _, err := plain.Prompt(msgs, tools)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<|im_start|>system\nYou are a coding agent.\n\n# Tools",
		`{"type":"function","function":{"name":"read"`,
		"<|im_start|>assistant\n<tool_call>\n{\"name\":\"read\",\"arguments\":{\"file_path\":\"a.go\"}}\n</tool_call><|im_end|>",
		"<|im_start|>user\n<tool_response>\n1\tpackage a\n</tool_response><|im_end|>",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("prompt lacks %q:\n%s", want, text)
		}
	}
	// Without tools the conversation renders as it is.
	if text, _, _ := plain.Prompt(msgs[:2], nil); strings.Contains(text, "# Tools") {
		t.Errorf("tools written with none offered:\n%s", text)
	}

	withTools, err := New(&recorder{tok: tok, tmpl: string(qwen), ctx: 4096}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if withTools.toolsInText {
		t.Error("Qwen2.5's template renders tools itself, yet they are written as text")
	}
}
