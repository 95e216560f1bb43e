// Package chat holds the plain types of a conversation with a model:
// messages, tools offered to it and the calls it makes. It has no behaviour
// beyond small helpers, so every layer above the engine can share it.
package chat

import "encoding/json"

// Roles of a message.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleTool      = "tool"
)

// Message is one turn of a conversation.
type Message struct {
	Role string `json:"role"`
	// Content is the visible text of the message.
	Content string `json:"content"`
	// Reasoning is the model's thinking (the text inside <think>…</think>
	// for the models that emit it); empty for most messages.
	Reasoning string `json:"reasoning_content,omitempty"`
	// ToolCalls are the calls an assistant message makes.
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	// ToolCallID and Name identify, on a tool message, the call it answers.
	ToolCallID string `json:"tool_call_id,omitempty"`
	Name       string `json:"name,omitempty"`
}

// ToolCall is a call of a tool by the model.
type ToolCall struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
	// Arguments is a JSON object, as the model wrote it.
	Arguments json.RawMessage `json:"arguments"`
}

// Tool describes a tool offered to the model.
type Tool struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Parameters is a JSON Schema for the arguments object.
	Parameters json.RawMessage `json:"parameters,omitempty"`
}
