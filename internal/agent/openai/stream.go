package openai

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/chat"
)

type chunk struct {
	Choices []struct {
		Delta struct {
			Content   *string        `json:"content"`
			Reasoning string         `json:"reasoning_content"`
			Thinking  string         `json:"reasoning"` // another spelling some servers use
			ToolCalls []wireToolCall `json:"tool_calls"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *wireUsage `json:"usage"`
	wireError
}

// readStream reads server-sent events until [DONE] (or the end of the
// body), passing text as it comes and assembling the tool calls by index.
func readStream(r io.Reader, fn func(agent.Delta) error) (agent.Response, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var (
		text, reasoning strings.Builder
		calls           []*wireToolCall
		byIndex         = map[int]*wireToolCall{}
		out             agent.Response
		data            bytes.Buffer
		done            bool
	)
	handle := func(payload []byte) error {
		if string(bytes.TrimSpace(payload)) == "[DONE]" {
			done = true
			return nil
		}
		var ch chunk
		if err := json.Unmarshal(payload, &ch); err != nil {
			return fmt.Errorf("openai: a streamed chunk is not JSON: %w", err)
		}
		if ch.Error != nil {
			return fmt.Errorf("%w: %s", ErrServer, oneLine(ch.Error.Message))
		}
		if ch.Usage != nil {
			out.Usage = agent.Usage{PromptTokens: ch.Usage.PromptTokens, CompletionTokens: ch.Usage.CompletionTokens}
		}
		if len(ch.Choices) == 0 {
			return nil
		}
		c := ch.Choices[0]
		d := agent.Delta{Reasoning: c.Delta.Reasoning + c.Delta.Thinking}
		if c.Delta.Content != nil {
			d.Text = *c.Delta.Content
		}
		text.WriteString(d.Text)
		reasoning.WriteString(d.Reasoning)
		if d.Text != "" || d.Reasoning != "" {
			if err := fn(d); err != nil {
				return err
			}
		}
		for _, tc := range c.Delta.ToolCalls {
			var cur *wireToolCall
			switch {
			case tc.Index != nil:
				cur = byIndex[*tc.Index]
			case len(calls) > 0 && (tc.ID == "" || tc.ID == calls[len(calls)-1].ID):
				cur = calls[len(calls)-1]
			}
			if cur == nil {
				cur = &wireToolCall{}
				calls = append(calls, cur)
				if tc.Index != nil {
					byIndex[*tc.Index] = cur
				}
			}
			if tc.ID != "" {
				cur.ID = tc.ID
			}
			cur.Function.Name += tc.Function.Name
			cur.Function.Arguments += tc.Function.Arguments
		}
		if c.FinishReason != nil && *c.FinishReason == "length" {
			out.Truncated = true
		}
		return nil
	}
	for sc.Scan() && !done {
		line := sc.Bytes()
		switch {
		case len(line) == 0:
			if data.Len() > 0 {
				if err := handle(data.Bytes()); err != nil {
					return agent.Response{}, err
				}
				data.Reset()
			}
		case bytes.HasPrefix(line, []byte(":")):
			// a comment (keep-alive)
		case bytes.HasPrefix(line, []byte("data:")):
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.Write(bytes.TrimPrefix(bytes.TrimPrefix(line, []byte("data:")), []byte(" ")))
		}
	}
	if err := sc.Err(); err != nil {
		return agent.Response{}, fmt.Errorf("openai: reading the stream: %w", err)
	}
	if data.Len() > 0 && !done {
		if err := handle(data.Bytes()); err != nil {
			return agent.Response{}, err
		}
	}
	out.Message = chat.Message{Role: chat.RoleAssistant, Content: text.String(), Reasoning: reasoning.String()}
	for _, c := range calls {
		out.Message.ToolCalls = append(out.Message.ToolCalls, chat.ToolCall{ID: c.ID, Name: c.Function.Name, Arguments: json.RawMessage(c.Function.Arguments)})
	}
	return out, nil
}
