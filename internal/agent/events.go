package agent

import (
	"encoding/json"
	"sync"

	"github.com/atelier-dev/atelier/internal/chat"
)

// Event is something the agent did or needs, reported to the front end (the
// headless printer, the plain interactive mode, the full-screen interface).
// Events are delivered in order, synchronously, on the goroutine of Run: a
// handler that blocks holds the loop. The concrete types are below; Kind
// names them in the stream-json output.
//
// A run reports, in order: TurnStarted; for each model call, TextDelta and
// ReasoningDelta pieces as the answer streams; for each tool call,
// ToolCallStarted, possibly a PermissionRequest, then ToolResult; Compacted
// whenever the conversation was summarized; finally TurnFinished, or Error
// when the run failed.
type Event interface {
	Kind() string
}

// TurnStarted opens a run of the agent on a user prompt.
type TurnStarted struct {
	Turn   int    `json:"turn"`
	Prompt string `json:"prompt"`
}

// TextDelta is a piece of the model's visible answer.
type TextDelta struct {
	Text string `json:"text"`
}

// ReasoningDelta is a piece of the model's thinking.
type ReasoningDelta struct {
	Text string `json:"text"`
}

// ToolCallStarted reports a tool call about to be checked and run.
type ToolCallStarted struct {
	Call chat.ToolCall `json:"call"`
}

// PermissionRequest asks the user whether a call may run. The front end
// shows Preview and calls Answer once, from any goroutine; the loop waits
// for it (or for its context to end, which refuses the call).
type PermissionRequest struct {
	Call chat.ToolCall `json:"call"`
	// Preview shows what the call would do: a unified diff or a command.
	Preview string `json:"preview"`
	// Prefix names the command prefixes AlwaysPrefix would allow ("go
	// test", or "go build, go test" for a compound command), or "" when
	// the answer is not offered (no command, or none a prefix can cover).
	Prefix string `json:"prefix,omitempty"`
	// PrefixRules are the rules AlwaysPrefix adds for the rest of the
	// session ("bash(go build:*)", "bash(go test:*)"); a front end may offer
	// to save them in the user's config file too.
	PrefixRules []string `json:"prefix_rules,omitempty"`

	reply chan Answer
	once  *sync.Once
}

// Answer gives the user's answer; only the first call counts.
func (p PermissionRequest) Answer(a Answer) {
	p.once.Do(func() { p.reply <- a })
}

// ToolResult reports the outcome of a call.
type ToolResult struct {
	Call    chat.ToolCall `json:"call"`
	Output  string        `json:"output"`
	IsError bool          `json:"is_error,omitempty"`
	// Denied is true when the call did not run for want of permission.
	Denied bool `json:"denied,omitempty"`
	// Changed lists the paths the call changed.
	Changed []string `json:"changed,omitempty"`
}

// Compacted reports that the older part of the conversation was replaced by
// a summary.
type Compacted struct {
	// TokensBefore and TokensAfter are the context's size around it.
	TokensBefore int    `json:"tokens_before"`
	TokensAfter  int    `json:"tokens_after"`
	Summary      string `json:"summary"`
}

// TurnFinished closes a successful run.
type TurnFinished struct {
	Turn   int    `json:"turn"`
	Result string `json:"result"`
	// Steps is the number of model calls the run made.
	Steps int   `json:"steps"`
	Usage Usage `json:"usage"`
}

// Error closes a failed run.
type Error struct {
	Err error `json:"-"`
}

// Kind implementations.
func (TurnStarted) Kind() string       { return "turn_started" }
func (TextDelta) Kind() string         { return "text" }
func (ReasoningDelta) Kind() string    { return "reasoning" }
func (ToolCallStarted) Kind() string   { return "tool_call" }
func (PermissionRequest) Kind() string { return "permission_request" }
func (ToolResult) Kind() string        { return "tool_result" }
func (Compacted) Kind() string         { return "compacted" }
func (TurnFinished) Kind() string      { return "turn_finished" }
func (Error) Kind() string             { return "error" }

// MarshalEvent encodes an event as one JSON object with its kind in "type",
// as the stream-json output prints it.
func MarshalEvent(e Event) ([]byte, error) {
	var fields map[string]any
	if ev, ok := e.(Error); ok {
		msg := ""
		if ev.Err != nil {
			msg = ev.Err.Error()
		}
		fields = map[string]any{"error": msg}
	} else {
		b, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &fields); err != nil {
			return nil, err
		}
	}
	fields["type"] = e.Kind()
	return json.Marshal(fields)
}
