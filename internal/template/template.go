// Package template renders a model's chat template — the Jinja source in
// a GGUF's tokenizer.chat_template — into the prompt text the model sees,
// byte for byte as Hugging Face transformers' apply_chat_template renders
// it with Python's jinja2.
//
// Rendering uses github.com/ardanlabs/jinja, extended here where it differs
// from HF's environment: the tojson filter is Python's json.dumps (key order
// kept, ensure_ascii/indent/separators/sort_keys honoured, floats as Python
// prints them), the string filter is Python's str(), and strftime_now reads
// Request.Now. Messages and tools are given to the template in the shape HF
// templates expect (see Request).
package template

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ardanlabs/jinja"

	"github.com/atelier-dev/atelier/internal/chat"
)

// ErrRaised is wrapped by Render's error when the template itself refused
// the conversation with raise_exception (for example Llama 3.2's "This
// model only supports single tool-calls at once!").
var ErrRaised = errors.New("template: the chat template rejected the conversation")

// Template is a compiled chat template. It is safe for concurrent use.
type Template struct {
	src string
	t   *jinja.Template
}

// Request is what a template is rendered with.
type Request struct {
	// Messages is the conversation. Each is given to the template as
	// {"role", "content"} plus "reasoning_content", "tool_calls",
	// "tool_call_id" and "name" when set; a tool call as
	// {"id", "type": "function", "function": {"name", "arguments"}} with
	// the arguments parsed from their JSON into an object.
	Messages []chat.Message
	// Tools are the tools offered, given as
	// [{"type": "function", "function": {"name", "description", "parameters"}}];
	// none means the template sees tools = None, as with HF.
	Tools []chat.Tool
	// AddGenerationPrompt ends the prompt with the opening of an assistant
	// turn.
	AddGenerationPrompt bool
	// EnableThinking, when set, is passed as enable_thinking (Qwen3,
	// SmolLM3); nil leaves it undefined so the template's default applies.
	EnableThinking *bool
	// BOS and EOS are the text of the model's begin/end-of-sequence tokens
	// (bos_token, eos_token); empty ones are left undefined.
	BOS, EOS string
	// Now is the clock strftime_now reads; zero means time.Now().
	Now time.Time
	// Extra are further template variables (e.g. "date_string",
	// "tools_in_user_message"); they override the ones above. Values may be
	// Go scalars, []any, map[string]any, json.RawMessage (key order kept)
	// or anything encoding/json can marshal.
	Extra map[string]any
}

// New compiles a chat template.
func New(src string) (*Template, error) {
	t, err := jinja.Compile(rewriteFilters(src))
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	return &Template{src: src, t: t}, nil
}

// Source returns the Jinja source the template was compiled from.
func (t *Template) Source() string { return t.src }

// fallbackSource is ChatML, the format of Qwen, SmolLM and many fine-tunes,
// with tools offered and called the Hermes way (as Qwen2.5 does) so that a
// model without a template can still use tools: tool definitions as JSON
// lines in <tools></tools> in the system turn, calls as
// <tool_call>{"name": …, "arguments": …}</tool_call>, results as
// <tool_response> blocks in a user turn.
//
//go:embed fallback.jinja
var fallbackSource string

// Fallback returns the template for a model whose file has none: ChatML
// (<|im_start|>ROLE\n…<|im_end|>\n per message, and <|im_start|>assistant\n
// as the generation prompt), with tools in the Hermes style of Qwen2.5.
func Fallback() *Template {
	t, err := New(fallbackSource)
	if err != nil {
		panic("template: fallback does not compile: " + err.Error())
	}
	return t
}

// FallbackSource returns the Jinja source of Fallback.
func FallbackSource() string { return fallbackSource }

// Render renders the conversation into the prompt text.
func (t *Template) Render(r Request) (string, error) {
	data := map[string]jinja.Value{}
	msgs := make([]jinja.Value, len(r.Messages))
	for i, m := range r.Messages {
		msgs[i] = messageValue(m)
	}
	data["messages"] = jinja.NewList(msgs)
	data["tools"] = jinja.None()
	if len(r.Tools) > 0 {
		tools := make([]jinja.Value, len(r.Tools))
		for i, tool := range r.Tools {
			v, err := toolValue(tool)
			if err != nil {
				return "", err
			}
			tools[i] = v
		}
		data["tools"] = jinja.NewList(tools)
	}
	data["documents"] = jinja.None()
	data["add_generation_prompt"] = jinja.NewBool(r.AddGenerationPrompt)
	if r.EnableThinking != nil {
		data["enable_thinking"] = jinja.NewBool(*r.EnableThinking)
	}
	if r.BOS != "" {
		data["bos_token"] = jinja.NewString(r.BOS)
	}
	if r.EOS != "" {
		data["eos_token"] = jinja.NewString(r.EOS)
	}
	now := r.Now
	if now.IsZero() {
		now = time.Now()
	}
	data["strftime_now"] = jinja.NewCallable("strftime_now", func(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
		if len(args) != 1 || !args[0].IsString() {
			return jinja.Undefined(), errors.New("strftime_now: want one format string")
		}
		return jinja.NewString(strftime(args[0].AsString(), now)), nil
	})
	data["raise_exception"] = jinja.NewCallable("raise_exception", func(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
		msg := ""
		if len(args) > 0 {
			msg = pyStr(args[0])
		}
		return jinja.Undefined(), &raisedError{msg}
	})
	data[filterPrefix+"tojson"] = jinja.NewCallable("tojson", toJSON)
	str := jinja.NewCallable("string", func(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
		if len(args) == 0 {
			return jinja.NewString(""), nil
		}
		return jinja.NewString(pyStr(args[0])), nil
	})
	data[filterPrefix+"string"] = str
	data[printFilter] = str
	for k, x := range r.Extra {
		v, err := goValue(x)
		if err != nil {
			return "", fmt.Errorf("template: extra variable %q: %w", k, err)
		}
		data[k] = v
	}
	out, err := t.t.RenderValues(data)
	if err != nil {
		if msg, ok := raisedMessage(err); ok {
			return "", fmt.Errorf("%w: %s", ErrRaised, msg)
		}
		return "", fmt.Errorf("template: %w", err)
	}
	return out, nil
}

// raisedError is what raise_exception returns; the library may flatten it
// into its own error text, so raisedMessage also finds it by its marker.
type raisedError struct{ msg string }

const raisedMarker = "\x00raised\x00"

func (e *raisedError) Error() string { return raisedMarker + e.msg + raisedMarker }

func raisedMessage(err error) (string, bool) {
	var r *raisedError
	if errors.As(err, &r) {
		return r.msg, true
	}
	s := err.Error()
	i := strings.Index(s, raisedMarker)
	if i < 0 {
		return "", false
	}
	rest := s[i+len(raisedMarker):]
	if j := strings.Index(rest, raisedMarker); j >= 0 {
		rest = rest[:j]
	}
	return rest, true
}
