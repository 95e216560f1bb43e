package scripted

import (
	"context"
	"encoding/json"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/chat"
)

// Client is an agent.Client that replays a transcript.
type Client struct {
	p *player
}

// NewClient returns a client playing t from the turn at index from. With
// strict, each turn's Expect is checked.
func NewClient(t *Transcript, from int, strict bool) *Client {
	return &Client{p: &player{t: t, next: from, strict: strict}}
}

// Position returns how many turns of the transcript were played.
func (c *Client) Position() int { return c.p.Position() }

// ModelName implements agent.Named.
func (c *Client) ModelName() string { return "scripted" }

// Stream implements agent.Client.
func (c *Client) Stream(ctx context.Context, req agent.Request, fn func(agent.Delta) error) (agent.Response, error) {
	if err := ctx.Err(); err != nil {
		return agent.Response{}, err
	}
	t, err := c.p.turn(lastContent(req.Messages), req.Tools != nil)
	if err != nil {
		return agent.Response{}, err
	}
	for _, s := range pieces(t.Reasoning) {
		if err := fn(agent.Delta{Reasoning: s}); err != nil {
			return agent.Response{}, err
		}
	}
	for _, s := range pieces(t.Text) {
		if err := ctx.Err(); err != nil {
			return agent.Response{}, err
		}
		if err := fn(agent.Delta{Text: s}); err != nil {
			return agent.Response{}, err
		}
	}
	msg := chat.Message{Role: chat.RoleAssistant, Content: t.Text, Reasoning: t.Reasoning}
	for _, call := range t.ToolCalls {
		msg.ToolCalls = append(msg.ToolCalls, chat.ToolCall{Name: call.Name, Arguments: json.RawMessage(call.Raw())})
	}
	resp := agent.Response{Message: msg, Usage: agent.Usage{PromptTokens: promptTokens(req.Messages), CompletionTokens: len(t.Text)/4 + 1}}
	for _, m := range t.Malformed {
		resp.Malformed = append(resp.Malformed, agent.Malformed(m))
	}
	return resp, nil
}

// promptTokens is a stand-in count: about 4 bytes a token.
func promptTokens(msgs []chat.Message) int {
	n := 0
	for _, m := range msgs {
		n += len(m.Content)/4 + 4
		for _, c := range m.ToolCalls {
			n += len(c.Arguments)/4 + 4
		}
	}
	return n
}
