package openai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/agent/scripted"
	"github.com/atelier-dev/atelier/internal/chat"
)

const transcript = `{"turns": [
  {"reasoning": "think", "text": "Let me look.", "tool_calls": [{"name": "read", "arguments": {"path": "a.go"}}, {"name": "edit", "arguments": "{\"path\": \"a.go\", bad"}]},
  {"expect": "RESULT", "text": "Done, all good."}
]}`

func TestAgainstScriptedServer(t *testing.T) {
	for _, noStream := range []bool{false, true} {
		t.Run(fmt.Sprintf("noStream=%v", noStream), func(t *testing.T) {
			tr, err := scripted.Parse([]byte(transcript))
			if err != nil {
				t.Fatal(err)
			}
			h := scripted.NewHandler(tr)
			h.Model, h.APIKey = "m", "k"
			srv := httptest.NewServer(h)
			defer srv.Close()
			c, err := New(Options{BaseURL: srv.URL, APIKey: "k", Model: "m", NoStream: noStream})
			if err != nil {
				t.Fatal(err)
			}
			var text, reasoning strings.Builder
			req := agent.Request{
				Messages: []chat.Message{{Role: chat.RoleSystem, Content: "sys"}, {Role: chat.RoleUser, Content: "go"}},
				Tools:    []chat.Tool{{Name: "read"}, {Name: "edit"}},
			}
			resp, err := c.Stream(context.Background(), req, func(d agent.Delta) error {
				text.WriteString(d.Text)
				reasoning.WriteString(d.Reasoning)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			m := resp.Message
			if m.Content != "Let me look." || text.String() != m.Content || reasoning.String() != "think" || m.Reasoning != "think" {
				t.Errorf("message %+v, streamed %q %q", m, text.String(), reasoning.String())
			}
			if len(m.ToolCalls) != 2 || m.ToolCalls[0].Name != "read" || string(m.ToolCalls[0].Arguments) != `{"path": "a.go"}` ||
				string(m.ToolCalls[1].Arguments) != `{"path": "a.go", bad` || m.ToolCalls[0].ID == "" || m.ToolCalls[0].ID == m.ToolCalls[1].ID {
				t.Errorf("tool calls %+v", m.ToolCalls)
			}
			if resp.Usage.PromptTokens == 0 || resp.Usage.CompletionTokens == 0 {
				t.Errorf("usage %+v", resp.Usage)
			}
			// The conversation goes back with the calls and their results.
			m.ToolCalls[1].Arguments = []byte("{}")
			req.Messages = append(req.Messages, m,
				chat.Message{Role: chat.RoleTool, ToolCallID: m.ToolCalls[0].ID, Name: "read", Content: "x"},
				chat.Message{Role: chat.RoleTool, ToolCallID: m.ToolCalls[1].ID, Name: "edit", Content: "RESULT"})
			resp, err = c.Stream(context.Background(), req, func(agent.Delta) error { return nil })
			if err != nil || resp.Message.Content != "Done, all good." {
				t.Fatalf("second answer %+v, %v", resp, err)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tr, _ := scripted.Parse([]byte(`{"turns": []}`))
	h := scripted.NewHandler(tr)
	h.Model, h.APIKey = "m", "k"
	srv := httptest.NewServer(h)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	defer srv.Close()
	req := agent.Request{Messages: []chat.Message{{Role: chat.RoleUser, Content: "x"}}, Tools: []chat.Tool{{Name: "read"}}}
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"key", Options{BaseURL: srv.URL, APIKey: "bad", Model: "m"}, "401 Unauthorized: Incorrect API key provided."},
		{"model", Options{BaseURL: srv.URL + "/v1", APIKey: "k", Model: "nope"}, "The model `nope` does not exist."},
		{"exhausted", Options{BaseURL: srv.URL, APIKey: "k", Model: "m"}, "no turns left"},
		{"unreachable", Options{BaseURL: deadURL, Model: "m"}, "cannot reach " + deadURL + "/v1/chat/completions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Stream(context.Background(), req, func(agent.Delta) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want one line with %q", err, tt.want)
			}
		})
	}
	for _, opts := range []Options{{BaseURL: "localhost:8080", Model: "m"}, {BaseURL: "http://x"}} {
		if _, err := New(opts); err == nil {
			t.Errorf("New(%+v) accepted", opts)
		}
	}
}

// TestStreamAssembly feeds interleaved tool-call pieces, keep-alives, a
// multi-line event and an error chunk.
func TestStreamAssembly(t *testing.T) {
	tests := []struct {
		name, body string
		want       string // calls as name(args);…
		err        string
		truncated  bool
	}{
		{
			name: "interleaved",
			body: `: keep-alive

data: {"choices":[{"delta":{"tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"read","arguments":""}}]}}]}

data: {"choices":[{"delta":{"tool_calls":[{"index":1,"id":"b","type":"function","function":{"name":"ls","arguments":"{\"pa"}}]}}]}

data: {"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"x\":1}"}}]}}]}

data: {"choices":[{"delta":{"tool_calls":[{"index":1,"function":{"arguments":"th\":\".\"}"}}]}}]}

data: {"choices":[{"delta":{},"finish_reason":"length"}]}

data: [DONE]

`,
			want:      `read({"x":1});ls({"path":"."});`,
			truncated: true,
		},
		{
			name: "no index",
			body: "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":\"read\",\"arguments\":\"{\"}}]}}]}\n\n" +
				"data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"}\"}}]}}]}\n\n",
			want: `read({});`,
		},
		{
			name: "error chunk",
			body: "data: {\"error\":{\"message\":\"context length exceeded\"}}\n\n",
			err:  "context length exceeded",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := readStream(strings.NewReader(tt.body), func(agent.Delta) error { return nil })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrServer) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, c := range resp.Message.ToolCalls {
				got += c.Name + "(" + string(c.Arguments) + ");"
			}
			if got != tt.want || resp.Truncated != tt.truncated {
				t.Fatalf("calls %s truncated %v, want %s %v", got, resp.Truncated, tt.want, tt.truncated)
			}
		})
	}
}
