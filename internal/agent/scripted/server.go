package scripted

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/atelier-dev/atelier/internal/chat"
)

// The OpenAI chat-completions wire format, as much as the handler checks.
type wireRequest struct {
	Model         string        `json:"model"`
	Messages      []wireMessage `json:"messages"`
	Tools         []wireTool    `json:"tools,omitempty"`
	Stream        bool          `json:"stream,omitempty"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options,omitempty"`
}

type wireMessage struct {
	Role       string         `json:"role"`
	Content    *string        `json:"content"`
	ToolCalls  []wireToolCall `json:"tool_calls,omitempty"`
	ToolCallID string         `json:"tool_call_id,omitempty"`
	Name       string         `json:"name,omitempty"`
	Reasoning  string         `json:"reasoning_content,omitempty"`
}

type wireToolCall struct {
	Index    *int   `json:"index,omitempty"`
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Function struct {
		Name      string `json:"name,omitempty"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type wireTool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string          `json:"name"`
		Description string          `json:"description,omitempty"`
		Parameters  json.RawMessage `json:"parameters,omitempty"`
	} `json:"function"`
}

// Handler serves the chat-completions API (POST …/chat/completions),
// answering each request with the next turn of the transcript, streamed
// when the request asks for it.
type Handler struct {
	p *player
	// Model is the only model name accepted ("" accepts any).
	Model string
	// APIKey, when set, must come as "Authorization: Bearer KEY".
	APIKey string
}

// NewHandler returns a handler playing t from its first turn, checking each
// turn's Expect.
func NewHandler(t *Transcript) *Handler {
	return &Handler{p: &player{t: t, strict: true}}
}

// Position returns how many turns of the transcript were played.
func (h *Handler) Position() int { return h.p.Position() }

func wireError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error"}})
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		wireError(w, http.StatusNotFound, "unknown endpoint "+r.URL.Path)
		return
	}
	if h.APIKey != "" && r.Header.Get("Authorization") != "Bearer "+h.APIKey {
		wireError(w, http.StatusUnauthorized, "Incorrect API key provided.")
		return
	}
	var req wireRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		wireError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return
	}
	if h.Model != "" && req.Model != h.Model {
		wireError(w, http.StatusNotFound, fmt.Sprintf("The model `%s` does not exist.", req.Model))
		return
	}
	if err := checkMessages(req.Messages); err != nil {
		wireError(w, http.StatusBadRequest, err.Error())
		return
	}
	last := ""
	if n := len(req.Messages); n > 0 && req.Messages[n-1].Content != nil {
		last = *req.Messages[n-1].Content
	}
	t, err := h.p.turn(last, len(req.Tools) > 0)
	if err != nil {
		wireError(w, http.StatusBadRequest, err.Error())
		return
	}
	prompt := 0
	for _, m := range req.Messages {
		if m.Content != nil {
			prompt += len(*m.Content)/4 + 4
		}
	}
	usage := map[string]int{"prompt_tokens": prompt, "completion_tokens": len(t.Text)/4 + 1, "total_tokens": prompt + len(t.Text)/4 + 1}
	text := t.Text
	for _, m := range t.Malformed {
		// Over the wire a call no parser could read is just text.
		text += m.Raw
	}
	finish := "stop"
	if len(t.ToolCalls) > 0 {
		finish = "tool_calls"
	}
	if !req.Stream {
		msg := map[string]any{"role": "assistant", "content": text}
		if text == "" && len(t.ToolCalls) > 0 {
			msg["content"] = nil
		}
		if t.Reasoning != "" {
			msg["reasoning_content"] = t.Reasoning
		}
		if len(t.ToolCalls) > 0 {
			var calls []map[string]any
			for i, c := range t.ToolCalls {
				calls = append(calls, map[string]any{"id": fmt.Sprintf("call_%d_%d", h.p.Position(), i), "type": "function",
					"function": map[string]any{"name": c.Name, "arguments": c.Raw()}})
			}
			msg["tool_calls"] = calls
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-scripted", "object": "chat.completion", "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}},
			"usage":   usage,
		})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	send := func(delta map[string]any, finishReason any) {
		chunk := map[string]any{"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finishReason}}}
		b, _ := json.Marshal(chunk)
		fmt.Fprintf(w, "data: %s\n\n", b)
	}
	send(map[string]any{"role": "assistant", "content": ""}, nil)
	for _, s := range pieces(t.Reasoning) {
		send(map[string]any{"reasoning_content": s}, nil)
	}
	for _, s := range pieces(text) {
		send(map[string]any{"content": s}, nil)
	}
	for i, c := range t.ToolCalls {
		id := fmt.Sprintf("call_%d_%d", h.p.Position(), i)
		send(map[string]any{"tool_calls": []any{map[string]any{"index": i, "id": id, "type": "function",
			"function": map[string]any{"name": c.Name, "arguments": ""}}}}, nil)
		// The arguments come in pieces, as real servers send them.
		for _, s := range pieces(c.Raw()) {
			send(map[string]any{"tool_calls": []any{map[string]any{"index": i, "function": map[string]any{"arguments": s}}}}, nil)
		}
	}
	send(map[string]any{}, finish)
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage {
		b, _ := json.Marshal(map[string]any{"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "choices": []any{}, "usage": usage})
		fmt.Fprintf(w, "data: %s\n\n", b)
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// checkMessages checks what a strict server checks: known roles, tool
// results answering earlier calls, arguments as strings.
func checkMessages(msgs []wireMessage) error {
	if len(msgs) == 0 {
		return fmt.Errorf("messages: must not be empty")
	}
	pending := map[string]bool{}
	for i, m := range msgs {
		switch m.Role {
		case chat.RoleSystem, chat.RoleUser:
		case chat.RoleAssistant:
			for _, c := range m.ToolCalls {
				if c.ID == "" || c.Type != "function" || c.Function.Name == "" {
					return fmt.Errorf("messages[%d].tool_calls: each call needs an id, type \"function\" and a name", i)
				}
				pending[c.ID] = true
			}
		case chat.RoleTool:
			if !pending[m.ToolCallID] {
				return fmt.Errorf("messages[%d]: role 'tool' must be a response to a preceding message with 'tool_calls' (id %q)", i, m.ToolCallID)
			}
		default:
			return fmt.Errorf("messages[%d].role: unknown role %q", i, m.Role)
		}
	}
	return nil
}
