package local

import (
	"encoding/json"
	"strings"

	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/template"
	"github.com/atelier-dev/atelier/internal/toolcall"
)

// Some chat templates ignore tools: a base model's plain ChatML, older
// instruct models. Rendered as is, the model would never learn of its
// tools, and its calls and their results would vanish from the
// conversation. For such a template the client writes the tools into the
// system message and the calls and results into the turns' text, in the
// Hermes format (<tools>, <tool_call>, <tool_response>), which the parser
// and the grammar then expect.

// ignoresTools reports whether tmpl renders the same prompt with and
// without tools.
func ignoresTools(tmpl *template.Template, bos, eos string) bool {
	msgs := []chat.Message{{Role: chat.RoleSystem, Content: "s"}, {Role: chat.RoleUser, Content: "u"}}
	probe := []chat.Tool{{Name: "probe_tool", Description: "d", Parameters: json.RawMessage(`{"type":"object","properties":{}}`)}}
	with, err1 := tmpl.Render(template.Request{Messages: msgs, Tools: probe, AddGenerationPrompt: true, BOS: bos, EOS: eos})
	without, err2 := tmpl.Render(template.Request{Messages: msgs, AddGenerationPrompt: true, BOS: bos, EOS: eos})
	return err1 == nil && err2 == nil && with == without
}

// toolsInText rewrites a conversation for a template that ignores tools:
// the tool list joins the system message, assistant calls become
// <tool_call> text and tool results become user turns of
// <tool_response> text.
func toolsInText(msgs []chat.Message, tools []chat.Tool) []chat.Message {
	var b strings.Builder
	b.WriteString("# Tools\n\nYou may call one or more functions to assist with the user query.\n\n")
	b.WriteString("You are provided with function signatures within <tools></tools> XML tags:\n<tools>")
	for _, t := range tools {
		fn, _ := json.Marshal(struct {
			Type     string    `json:"type"`
			Function chat.Tool `json:"function"`
		}{"function", t})
		b.WriteString("\n")
		b.Write(fn)
	}
	b.WriteString("\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n")
	b.WriteString("<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>")
	toolText := b.String()

	out := make([]chat.Message, 0, len(msgs)+1)
	if len(msgs) > 0 && msgs[0].Role == chat.RoleSystem {
		sys := msgs[0]
		sys.Content += "\n\n" + toolText
		out = append(out, sys)
		msgs = msgs[1:]
	} else {
		out = append(out, chat.Message{Role: chat.RoleSystem, Content: toolText})
	}
	for _, m := range msgs {
		switch {
		case m.Role == chat.RoleAssistant && len(m.ToolCalls) > 0:
			var t strings.Builder
			t.WriteString(m.Content)
			for _, call := range m.ToolCalls {
				if t.Len() > 0 {
					t.WriteString("\n")
				}
				args := call.Arguments
				if len(args) == 0 {
					args = json.RawMessage("{}")
				}
				js, _ := json.Marshal(struct {
					Name      string          `json:"name"`
					Arguments json.RawMessage `json:"arguments"`
				}{call.Name, args})
				t.WriteString("<tool_call>\n")
				t.Write(js)
				t.WriteString("\n</tool_call>")
			}
			out = append(out, chat.Message{Role: chat.RoleAssistant, Content: t.String(), Reasoning: m.Reasoning})
		case m.Role == chat.RoleTool:
			text := "<tool_response>\n" + m.Content + "\n</tool_response>"
			if n := len(out); n > 0 && out[n-1].Role == chat.RoleUser && strings.HasSuffix(out[n-1].Content, "</tool_response>") {
				out[n-1].Content += "\n" + text // consecutive results share a turn
				continue
			}
			out = append(out, chat.Message{Role: chat.RoleUser, Content: text})
		default:
			out = append(out, m)
		}
	}
	return out
}

// textFormat is the format calls written as text are parsed in.
const textFormat = toolcall.Hermes
