// Package openai is the agent's backend for any server that speaks the
// OpenAI chat-completions API: Ollama, llama.cpp's server, vLLM, LM Studio,
// or a hosted service. It sends the conversation and the tools, streams the
// answer (server-sent events) or takes it whole, and assembles the tool
// calls, whose arguments arrive in pieces keyed by index.
package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/chat"
)

// Options configure a Client.
type Options struct {
	// BaseURL is the API root, such as http://localhost:11434/v1. A URL
	// with no path gets /v1.
	BaseURL string
	// APIKey is sent as a bearer token when set.
	APIKey string
	// Model names the model on the server (--remote-model).
	Model string
	// NoStream asks for whole answers instead of streamed ones.
	NoStream bool
	// ContextWindow is the server model's context length, when known.
	ContextWindow int
	// HTTPClient defaults to http.DefaultClient.
	HTTPClient *http.Client
}

// Client is an agent.Client talking to an OpenAI-compatible server.
type Client struct {
	opts     Options
	endpoint string
}

// ErrServer marks an error answer of the server.
var ErrServer = errors.New("openai: server error")

// New checks the options and returns a client.
func New(opts Options) (*Client, error) {
	u, err := url.Parse(opts.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("openai: --base-url %q is not an http(s) URL such as http://localhost:11434/v1", opts.BaseURL)
	}
	if opts.Model == "" {
		return nil, fmt.Errorf("openai: no model name: give the server's model with --remote-model")
	}
	if strings.Trim(u.Path, "/") == "" {
		u.Path = "/v1"
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/chat/completions"
	if opts.HTTPClient == nil {
		opts.HTTPClient = http.DefaultClient
	}
	return &Client{opts: opts, endpoint: u.String()}, nil
}

// ModelName implements agent.Named.
func (c *Client) ModelName() string { return c.opts.Model }

// ContextWindow implements agent.Windowed (0 when unknown).
func (c *Client) ContextWindow() int { return c.opts.ContextWindow }

// Wire types.
type wireToolCall struct {
	Index    *int   `json:"index,omitempty"`
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Function struct {
		Name      string `json:"name,omitempty"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type wireMessage struct {
	Role       string         `json:"role"`
	Content    *string        `json:"content"`
	Reasoning  string         `json:"reasoning_content,omitempty"`
	ToolCalls  []wireToolCall `json:"tool_calls,omitempty"`
	ToolCallID string         `json:"tool_call_id,omitempty"`
	Name       string         `json:"name,omitempty"`
}

type wireTool struct {
	Type     string       `json:"type"`
	Function wireFunction `json:"function"`
}

type wireFunction struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters"`
}

type wireRequest struct {
	Model         string        `json:"model"`
	Messages      []wireMessage `json:"messages"`
	Tools         []wireTool    `json:"tools,omitempty"`
	MaxTokens     int           `json:"max_tokens,omitempty"`
	Stream        bool          `json:"stream,omitempty"`
	StreamOptions *streamOpts   `json:"stream_options,omitempty"`
}

type streamOpts struct {
	IncludeUsage bool `json:"include_usage"`
}

type wireUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

type wireError struct {
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

func toWire(req agent.Request, model string, stream bool) wireRequest {
	w := wireRequest{Model: model, MaxTokens: req.MaxTokens, Stream: stream}
	if stream {
		w.StreamOptions = &streamOpts{IncludeUsage: true}
	}
	for _, m := range req.Messages {
		content := m.Content
		wm := wireMessage{Role: m.Role, Content: &content, ToolCallID: m.ToolCallID}
		if m.Role == chat.RoleTool {
			wm.Name = m.Name
		}
		for _, tc := range m.ToolCalls {
			var wc wireToolCall
			wc.ID, wc.Type = tc.ID, "function"
			wc.Function.Name = tc.Name
			wc.Function.Arguments = string(tc.Arguments)
			if wc.Function.Arguments == "" {
				wc.Function.Arguments = "{}"
			}
			wm.ToolCalls = append(wm.ToolCalls, wc)
		}
		if len(wm.ToolCalls) > 0 && content == "" {
			wm.Content = nil
		}
		w.Messages = append(w.Messages, wm)
	}
	for _, t := range req.Tools {
		params := t.Parameters
		if len(params) == 0 {
			params = json.RawMessage(`{"type":"object","properties":{}}`)
		}
		w.Tools = append(w.Tools, wireTool{Type: "function", Function: wireFunction{t.Name, t.Description, params}})
	}
	return w
}

// Stream implements agent.Client.
func (c *Client) Stream(ctx context.Context, req agent.Request, fn func(agent.Delta) error) (agent.Response, error) {
	stream := !c.opts.NoStream
	body, err := json.Marshal(toWire(req, c.opts.Model, stream))
	if err != nil {
		return agent.Response{}, fmt.Errorf("openai: %w", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return agent.Response{}, fmt.Errorf("openai: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	if stream {
		hreq.Header.Set("Accept", "text/event-stream")
	}
	if c.opts.APIKey != "" {
		hreq.Header.Set("Authorization", "Bearer "+c.opts.APIKey)
	}
	resp, err := c.opts.HTTPClient.Do(hreq)
	if err != nil {
		if ctx.Err() != nil {
			return agent.Response{}, ctx.Err()
		}
		return agent.Response{}, fmt.Errorf("openai: cannot reach %s: %w", c.endpoint, unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return agent.Response{}, fmt.Errorf("%w: %s answered %s: %s", ErrServer, c.endpoint, resp.Status, serverMessage(b))
	}
	var out agent.Response
	if stream && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		out, err = readStream(resp.Body, fn)
	} else {
		out, err = readWhole(resp.Body, fn)
	}
	if err != nil && ctx.Err() != nil {
		return agent.Response{}, ctx.Err()
	}
	return out, err
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// serverMessage extracts the message of an error body, in one line.
func serverMessage(b []byte) string {
	var we wireError
	if json.Unmarshal(b, &we) == nil && we.Error != nil && we.Error.Message != "" {
		return oneLine(we.Error.Message)
	}
	// Some servers answer {"error": "text"}.
	var plain struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(b, &plain) == nil && plain.Error != "" {
		return oneLine(plain.Error)
	}
	if s := oneLine(string(b)); s != "" {
		return s
	}
	return "no message"
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func readWhole(r io.Reader, fn func(agent.Delta) error) (agent.Response, error) {
	var body struct {
		Choices []struct {
			Message      wireMessage `json:"message"`
			FinishReason string      `json:"finish_reason"`
		} `json:"choices"`
		Usage *wireUsage `json:"usage"`
		wireError
	}
	if err := json.NewDecoder(r).Decode(&body); err != nil {
		return agent.Response{}, fmt.Errorf("openai: the answer is not chat-completions JSON: %w", err)
	}
	if body.Error != nil {
		return agent.Response{}, fmt.Errorf("%w: %s", ErrServer, oneLine(body.Error.Message))
	}
	if len(body.Choices) == 0 {
		return agent.Response{}, fmt.Errorf("openai: the answer has no choices")
	}
	ch := body.Choices[0]
	msg := chat.Message{Role: chat.RoleAssistant, Reasoning: ch.Message.Reasoning}
	if ch.Message.Content != nil {
		msg.Content = *ch.Message.Content
	}
	if msg.Reasoning != "" {
		if err := fn(agent.Delta{Reasoning: msg.Reasoning}); err != nil {
			return agent.Response{}, err
		}
	}
	if msg.Content != "" {
		if err := fn(agent.Delta{Text: msg.Content}); err != nil {
			return agent.Response{}, err
		}
	}
	for _, tc := range ch.Message.ToolCalls {
		msg.ToolCalls = append(msg.ToolCalls, chat.ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: json.RawMessage(tc.Function.Arguments)})
	}
	out := agent.Response{Message: msg, Truncated: ch.FinishReason == "length"}
	if body.Usage != nil {
		out.Usage = agent.Usage{PromptTokens: body.Usage.PromptTokens, CompletionTokens: body.Usage.CompletionTokens}
	}
	return out, nil
}
