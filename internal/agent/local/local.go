// Package local is the agent's backend for a model run in process by the
// engine: each request renders the conversation with the model's own chat
// template, tokenizes it, generates, and parses the tool calls out of the
// raw output as it streams.
//
// The prompt of each request is the whole conversation rendered again, and
// as the conversation only grows (system prompt first, earlier messages
// unchanged), the prompt's tokens start with the previous prompt's: the
// engine keeps the longest shared prefix in its KV cache and evaluates only
// the new messages. Compaction rewrites the conversation, and the cache is
// rebuilt once after it.
//
// The engine samples under a grammar whenever tools are offered, so that
// every call the model writes is well-formed: a tool on offer, arguments
// valid against its schema (constrain.go tells the details). Answers are
// capped at DefaultMaxTokens unless the request says otherwise.
package local

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/engine"
	"github.com/atelier-dev/atelier/internal/sample"
	"github.com/atelier-dev/atelier/internal/template"
	"github.com/atelier-dev/atelier/internal/tokenizer"
	"github.com/atelier-dev/atelier/internal/toolcall"
)

// Model is what the client needs of an engine; *engine.Engine has it.
type Model interface {
	Tokenizer() *tokenizer.Tokenizer
	ChatTemplate() string
	ContextLength() int
	Generate(ctx context.Context, req engine.Request, fn func(engine.Chunk) error) (engine.Stats, error)
}

// ErrContextFull: the conversation no longer fits the model's context.
var ErrContextFull = errors.New("local: the context is full")

// ErrNoTemplate: the model has no chat template, so it is a plain
// text-completion model, which cannot drive the agent.
var ErrNoTemplate = errors.New("local: the model has no chat template")

// Options configure a Client.
type Options struct {
	// Name is the model's name, for /model.
	Name string
	// Sampling defaults to DefaultSampling.
	Sampling *sample.Params
	// Template overrides the model's chat template (Jinja source).
	Template string
	// EnableThinking is passed to templates that take it (Qwen3).
	EnableThinking *bool
	// Unconstrained turns off grammar-constrained tool calls (see
	// constrain.go): the model may then write malformed calls.
	Unconstrained bool
	// RequireToolCall makes every answer one tool call from its first
	// token, and nothing after it (OpenAI's tool_choice "required"), when
	// the request offers tools and the format has a grammar.
	RequireToolCall bool
}

// DefaultMaxTokens caps an answer when the request sets no cap: a model
// that has lost its way would otherwise write until the context is full.
const DefaultMaxTokens = 4096

// DefaultSampling suits tool use: little randomness, so that calls stay
// well-formed, with a mild repeat penalty off (code repeats itself).
var DefaultSampling = sample.Params{Temperature: 0.2, TopK: 40, TopP: 0.95, MinP: 0.05}

// Client is an agent.Client on an in-process model.
type Client struct {
	m        Model
	tok      *tokenizer.Tokenizer
	tmpl     *template.Template
	format   toolcall.Format
	opts     Options
	sampling sample.Params
	bos, eos string
	progress progress
	cons     constrainer
	// toolsInText is set when the template ignores tools: they are then
	// written into the conversation's text (see notools.go).
	toolsInText bool
}

// New prepares a client for the model: its chat template and the
// tool-call format the template shows. A model without a chat template is a
// plain text-completion model, not a chat model: it can follow no
// instructions and call no tools, so New refuses it with ErrNoTemplate
// unless Options.Template gives one (template.FallbackSource() is ChatML).
func New(m Model, opts Options) (*Client, error) {
	src := opts.Template
	if src == "" {
		src = m.ChatTemplate()
	}
	if src == "" {
		name := ""
		if opts.Name != "" {
			name = " (" + opts.Name + ")"
		}
		return nil, fmt.Errorf("%w%s: it is a plain text-completion model, not a chat model, so it cannot follow instructions or call tools; use an instruct model such as qwen2.5-coder:1.5b", ErrNoTemplate, name)
	}
	tmpl, err := template.New(src)
	if err != nil {
		return nil, fmt.Errorf("local: the model's chat template: %w", err)
	}
	c := &Client{m: m, tok: m.Tokenizer(), tmpl: tmpl, format: toolcall.DetectFormat(src), opts: opts, sampling: DefaultSampling}
	c.cons.vocab = c.tok
	if opts.Sampling != nil {
		c.sampling = *opts.Sampling
	}
	if c.tok.BOS() >= 0 {
		c.bos = c.tok.TokenText(c.tok.BOS())
	}
	if c.tok.EOS() >= 0 {
		c.eos = c.tok.TokenText(c.tok.EOS())
	}
	if ignoresTools(tmpl, c.bos, c.eos) {
		c.toolsInText = true
		if c.format == toolcall.None {
			c.format = textFormat
		}
	}
	return c, nil
}

// Format returns the tool-call format the client parses.
func (c *Client) Format() toolcall.Format { return c.format }

// ModelName implements agent.Named.
func (c *Client) ModelName() string { return c.opts.Name }

// ContextWindow implements agent.Windowed: the length the model was loaded
// with.
func (c *Client) ContextWindow() int { return c.m.ContextLength() }

// Prompt renders and tokenizes a conversation as the model will see it.
func (c *Client) Prompt(msgs []chat.Message, tools []chat.Tool) (string, []int32, error) {
	if c.toolsInText && len(tools) > 0 {
		msgs, tools = toolsInText(msgs, tools), nil
	}
	text, err := c.tmpl.Render(template.Request{
		Messages:            msgs,
		Tools:               tools,
		AddGenerationPrompt: true,
		EnableThinking:      c.opts.EnableThinking,
		BOS:                 c.bos,
		EOS:                 c.eos,
	})
	if err != nil {
		return "", nil, fmt.Errorf("local: rendering the conversation: %w", err)
	}
	ids := c.tok.Encode(text, false, true)
	if c.tok.AddBOS() && c.tok.BOS() >= 0 && (len(ids) == 0 || ids[0] != c.tok.BOS()) {
		ids = append([]int32{c.tok.BOS()}, ids...)
	}
	return text, ids, nil
}

// CountTokens implements agent.TokenCounter, exactly.
func (c *Client) CountTokens(msgs []chat.Message, tools []chat.Tool) (int, error) {
	_, ids, err := c.Prompt(msgs, tools)
	return len(ids), err
}

// Stream implements agent.Client.
func (c *Client) Stream(ctx context.Context, req agent.Request, fn func(agent.Delta) error) (agent.Response, error) {
	text, ids, err := c.Prompt(req.Messages, req.Tools)
	if err != nil {
		return agent.Response{}, err
	}
	window := c.m.ContextLength()
	room := window - len(ids)
	if room < 16 {
		if len(req.Messages) > 0 && req.Messages[0].Role == chat.RoleSystem {
			if _, base, err := c.Prompt(req.Messages[:1], req.Tools); err == nil && len(base)+16 > window {
				return agent.Response{}, fmt.Errorf("%w: the instructions and tool descriptions alone take %d tokens and the model was loaded with %d; load it with a longer context (--context)", ErrContextFull, len(base), window)
			}
		}
		return agent.Response{}, fmt.Errorf("%w: the conversation takes %d tokens and the model was loaded with %d; /compact or /clear it, or load the model with a longer context", ErrContextFull, len(ids), window)
	}
	maxTokens := req.MaxTokens
	if maxTokens <= 0 {
		maxTokens = DefaultMaxTokens
	}
	maxTokens = min(maxTokens, room)
	var cons engine.Constraint
	if !c.opts.Unconstrained {
		cons = c.cons.constraint(c.format, req.Tools, c.opts.RequireToolCall)
	}
	p := toolcall.NewParser(c.format, req.Tools)
	p.AfterPrompt(text)
	var out agent.Response
	out.Message.Role = chat.RoleAssistant
	var content, reasoning strings.Builder // the message's, built token by token
	handle := func(evs []toolcall.Event) error {
		for _, ev := range evs {
			switch ev.Kind {
			case toolcall.Text:
				content.WriteString(ev.Text)
				if err := fn(agent.Delta{Text: ev.Text}); err != nil {
					return err
				}
			case toolcall.Reasoning:
				reasoning.WriteString(ev.Text)
				if err := fn(agent.Delta{Reasoning: ev.Text}); err != nil {
					return err
				}
			case toolcall.Call:
				out.Message.ToolCalls = append(out.Message.ToolCalls, ev.Call)
			case toolcall.Error:
				out.Malformed = append(out.Malformed, agent.Malformed{Raw: ev.Text, Err: ev.Message})
			}
		}
		return nil
	}
	st, err := c.m.Generate(ctx, engine.Request{Prompt: ids, MaxTokens: maxTokens, Sampling: c.sampling, Constraint: cons, OnPrompt: c.progress.promptFunc()}, func(ch engine.Chunk) error {
		return handle(p.Add(ch.Text))
	})
	if err != nil {
		return agent.Response{}, err
	}
	if err := handle(p.Finish()); err != nil {
		return agent.Response{}, err
	}
	out.Message.Content, out.Message.Reasoning = content.String(), reasoning.String()
	c.progress.setSpeed(st.Generated, st.GenTime.Seconds())
	out.Usage = agent.Usage{PromptTokens: st.PromptTokens, CompletionTokens: st.Generated}
	out.Truncated = st.StopReason == engine.StopMaxTokens || st.StopReason == engine.StopContext
	return out, nil
}
