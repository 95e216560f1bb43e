package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/session"
)

// fakeClient replays responses and keeps the requests it got.
type fakeClient struct {
	mu       sync.Mutex
	resps    []Response
	requests []Request
	window   int
}

func (f *fakeClient) Stream(ctx context.Context, req Request, fn func(Delta) error) (Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return Response{}, err
	}
	f.requests = append(f.requests, req)
	// Summaries (no tools) get a fixed answer.
	if req.Tools == nil {
		return Response{Message: chat.Message{Role: chat.RoleAssistant, Content: "SUMMARY"}}, nil
	}
	if len(f.resps) == 0 {
		return Response{}, errors.New("fake: out of responses")
	}
	r := f.resps[0]
	f.resps = f.resps[1:]
	if r.Message.Content != "" {
		if err := fn(Delta{Text: r.Message.Content}); err != nil {
			return Response{}, err
		}
	}
	return r, nil
}

func (f *fakeClient) ContextWindow() int { return f.window }

func say(text string) Response {
	return Response{Message: chat.Message{Role: chat.RoleAssistant, Content: text}, Usage: Usage{10, 2}}
}

func call(name, args string) Response {
	return Response{Message: chat.Message{Role: chat.RoleAssistant, ToolCalls: []chat.ToolCall{{Name: name, Arguments: json.RawMessage(args)}}}, Usage: Usage{10, 2}}
}

// fakeTools has an "echo" tool (echoes "text"), a "touch" tool (reports a
// file change) and a "block" tool that waits for its context.
type fakeTools struct {
	ran []string
}

func (f *fakeTools) Tools() []chat.Tool {
	return []chat.Tool{
		{Name: "echo", Parameters: json.RawMessage(`{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}`)},
		{Name: "touch", Parameters: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}`)},
		{Name: "bash", Parameters: json.RawMessage(`{"type":"object","properties":{"command":{"type":"string"}},"required":["command"]}`)},
		{Name: "block"},
	}
}

func (f *fakeTools) Run(ctx context.Context, c chat.ToolCall) ToolOutput {
	return f.RunJournaled(ctx, c, nil)
}

func (f *fakeTools) RunJournaled(ctx context.Context, c chat.ToolCall, journal Journal) ToolOutput {
	f.ran = append(f.ran, c.Name+" "+string(c.Arguments))
	var args map[string]any
	_ = json.Unmarshal(c.Arguments, &args)
	switch c.Name {
	case "echo":
		return ToolOutput{Output: args["text"].(string)}
	case "touch":
		ch := session.Change{Path: args["path"].(string)}
		if journal != nil {
			if err := journal(ch); err != nil {
				return ToolOutput{Output: err.Error(), IsError: true}
			}
		}
		return ToolOutput{Output: "ok", Changes: []session.Change{ch}}
	case "bash":
		return ToolOutput{Output: "ran " + args["command"].(string)}
	case "block":
		<-ctx.Done()
		return ToolOutput{Output: "interrupted", IsError: true}
	}
	return ToolOutput{Output: "?", IsError: true}
}

// fakeGate asks for bash and touch, denies "rm".
type fakeGate struct{}

func (fakeGate) Decide(c chat.ToolCall) (Permission, string) {
	if strings.Contains(string(c.Arguments), `"rm`) {
		return Deny, "rm is not allowed"
	}
	if c.Name == "bash" || c.Name == "touch" {
		return Ask, ""
	}
	return Allow, ""
}

func (fakeGate) Preview(ctx context.Context, c chat.ToolCall) (string, error) {
	if strings.Contains(string(c.Arguments), "invalid") {
		return "", errors.New("cannot apply: invalid")
	}
	return "PREVIEW " + c.Name, nil
}

// memRecorder records in memory.
type memRecorder struct {
	msgs        []chat.Message
	replaced    int
	checkpoints []string
	// log lists the Prepare and Checkpoint calls in order.
	log []string
}

func (m *memRecorder) Prepare(turn int, c session.Change) error {
	m.log = append(m.log, fmt.Sprintf("prepare %d %s", turn, c.Path))
	return nil
}

func (m *memRecorder) Append(turn int, msg chat.Message) error {
	if _, err := json.Marshal(msg); err != nil {
		return err
	}
	m.msgs = append(m.msgs, msg)
	return nil
}

func (m *memRecorder) Replace(msgs []chat.Message) error {
	m.msgs = append([]chat.Message(nil), msgs...)
	m.replaced++
	return nil
}

func (m *memRecorder) Checkpoint(turn int, changes []session.Change) error {
	for _, c := range changes {
		m.checkpoints = append(m.checkpoints, c.Path)
		m.log = append(m.log, fmt.Sprintf("checkpoint %d %s", turn, c.Path))
	}
	return nil
}
