// Package toolcall splits a model's output, as it streams in, into visible
// text, reasoning and tool calls, for the tool-call formats of the model
// families people run locally:
//
//   - Hermes (Qwen2.5 and many fine-tunes):
//     <tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>
//   - Qwen3 and SmolLM3: <think>…</think> reasoning first, then Hermes calls
//   - Qwen3-Coder: <tool_call>\n<function=NAME>\n<parameter=P>\nVALUE\n
//     </parameter>\n</function>\n</tool_call>, each value typed by the
//     tool's JSON schema (strings raw, anything else parsed as JSON)
//   - Qwen3XML: Qwen3 reasoning, then Qwen3-Coder calls (Qwen3.5)
//   - Llama 3.x: a JSON object {"name": …, "parameters": {…}} opening the
//     reply or following <|python_tag|>
//
// A malformed call is not a Go error: it comes back as an Error event with
// the raw text and a sentence the agent can give back to the model.
package toolcall

import (
	"crypto/rand"
	"strings"

	"github.com/atelier-dev/atelier/internal/chat"
)

// Format is a family's way of writing reasoning and tool calls.
type Format int

// The formats.
const (
	// None: all output is text.
	None Format = iota
	// Hermes: <tool_call>{"name", "arguments"}</tool_call> (Qwen2.5).
	Hermes
	// Qwen3: <think> reasoning at the start, then Hermes calls.
	Qwen3
	// Qwen3Coder: <tool_call><function=…><parameter=…> XML calls.
	Qwen3Coder
	// Qwen3XML: <think> reasoning, then Qwen3-Coder XML calls (Qwen3.5).
	Qwen3XML
	// Llama3: {"name", "parameters"} JSON calls, optionally after <|python_tag|>.
	Llama3
	// SmolLM3: <think> reasoning and Hermes calls, as Qwen3.
	SmolLM3
)

var formatNames = [...]string{"none", "hermes", "qwen3", "qwen3-coder", "qwen3-xml", "llama3", "smollm3"}

// String returns the format's name.
func (f Format) String() string {
	if f >= 0 && int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "unknown"
}

// ParseFormat returns the format of a name String gives, and whether there
// is one.
func ParseFormat(name string) (Format, bool) {
	for i, n := range formatNames {
		if n == name {
			return Format(i), true
		}
	}
	return None, false
}

// DetectFormat guesses the format a model writes from its chat template:
// the template shows the model its calls, so the markers in it tell.
// A template without tool-call markers gives None.
func DetectFormat(templateSource string) Format {
	has := func(s string) bool { return strings.Contains(templateSource, s) }
	think := has("<think>")
	switch {
	case has("<function=") && has("<parameter="):
		if think {
			return Qwen3XML
		}
		return Qwen3Coder
	case has("SmolLM") || (think && has("/no_think")):
		return SmolLM3
	case has("<tool_call>"):
		if think {
			return Qwen3
		}
		return Hermes
	case has("<|python_tag|>"), has("<|start_header_id|>") && has(`"parameters"`):
		return Llama3
	}
	return None
}

// Openers returns the texts that start a tool call in the format (for
// Llama3 also "{", which opens a call only at the start of the reply or
// after a call). A grammar can stay lazy until one of them appears.
func Openers(f Format) []string {
	s := specOf(f)
	out := make([]string, 0, len(s.openers)+1)
	for _, o := range s.openers {
		out = append(out, o.open)
	}
	if s.jsonCalls {
		out = append(out, "{")
	}
	return out
}

// Kind tells what an Event carries.
type Kind int

// The kinds of event.
const (
	// Text is a piece of the visible reply.
	Text Kind = iota
	// Reasoning is a piece of the model's thinking.
	Reasoning
	// Call is a complete tool call.
	Call
	// Error is a tool call that could not be understood.
	Error
)

var kindNames = [...]string{"text", "reasoning", "call", "error"}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Event is one thing found in the output.
type Event struct {
	Kind Kind
	// Text is the text or reasoning delta; for Error, the raw text of the
	// malformed call as the model wrote it.
	Text string
	// Call is the call, for Call; its ID is generated.
	Call chat.ToolCall
	// Message says, for Error, what is wrong, in a sentence meant for the
	// model.
	Message string
}

// newCallID returns a fresh tool-call ID.
func newCallID() string {
	return "call_" + strings.ToLower(rand.Text()[:16])
}
