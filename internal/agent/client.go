// Package agent is atelier's coding agent: the loop that asks a model for the
// next step, runs the tools it calls, feeds their results back and stops when
// the model answers without calling a tool.
//
// The loop is an explicit state machine (see State) over three small
// interfaces that it defines itself: Client (the model, in-process or behind
// an OpenAI-compatible server), ToolRunner (the tools) and Recorder (the
// session store). Everything it does is reported as typed Events, which the
// headless mode prints and an interactive front end renders.
package agent

import (
	"context"

	"github.com/atelier-dev/atelier/internal/chat"
)

// Request is one call of the model: the whole conversation so far (system
// prompt first) and the tools it may call.
type Request struct {
	Messages []chat.Message
	Tools    []chat.Tool
	// MaxTokens caps the answer; 0 lets the backend choose.
	MaxTokens int
}

// Delta is a piece of the answer as it streams: visible text or reasoning.
type Delta struct {
	Text      string
	Reasoning string
}

// Usage counts the tokens of one model call, or of a whole run.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

// Add returns the sum of two usages.
func (u Usage) Add(v Usage) Usage {
	return Usage{u.PromptTokens + v.PromptTokens, u.CompletionTokens + v.CompletionTokens}
}

// Malformed is a tool call the backend saw in the model's output but could
// not parse. It is the model's mistake, so it is data: the loop answers it
// with a tool error and lets the model try again.
type Malformed struct {
	// Name is the tool name when it could be read, else "".
	Name string
	// Raw is the text of the call as the model wrote it.
	Raw string
	// Err says what is wrong with it, in one sentence.
	Err string
}

// Response is the model's complete answer to a Request.
type Response struct {
	// Message is the assistant message, with the tool calls it makes. A
	// call's Arguments may be invalid JSON: the loop checks them.
	Message chat.Message
	// Malformed lists the calls that could not be parsed at all.
	Malformed []Malformed
	// Usage is the backend's count; zero when it gave none.
	Usage Usage
	// Truncated is true when the answer was cut at MaxTokens.
	Truncated bool
}

// Client is a model the agent can talk to.
type Client interface {
	// Stream sends the request and calls fn with each piece of the answer
	// as it comes; an error from fn stops the stream and is returned.
	Stream(ctx context.Context, req Request, fn func(Delta) error) (Response, error)
}

// TokenCounter is implemented by clients that know the model's tokenizer:
// it counts the tokens the conversation takes in the prompt, exactly.
type TokenCounter interface {
	CountTokens(msgs []chat.Message, tools []chat.Tool) (int, error)
}

// Windowed is implemented by clients that know their context length (for a
// local model, the length it was loaded with).
type Windowed interface {
	ContextWindow() int
}

// Named is implemented by clients that can say which model they run.
type Named interface {
	ModelName() string
}
