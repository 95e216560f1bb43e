package agent

import (
	"context"

	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/session"
)

// ToolOutput is what running a tool gave.
type ToolOutput struct {
	// Output is the text the model sees.
	Output string
	// IsError marks a failed call (the model sees the output as an error).
	IsError bool
	// Changes lists the files the call changed, each with its content
	// before the call, so the turn can be undone.
	Changes []session.Change
}

// ToolRunner runs the tools offered to the model.
type ToolRunner interface {
	// Tools describes the tools to the model.
	Tools() []chat.Tool
	// Run runs one call whose name is one of Tools and whose arguments are
	// a JSON object with the required fields. A failure of the tool is a
	// result with IsError set, not a Go error. When ctx is cancelled the
	// call stops, leaving every file as it was or fully written.
	Run(ctx context.Context, call chat.ToolCall) ToolOutput
}

// Journal records a file's content before a tool changes it, ahead of the
// write, so that a crash between the write and the checkpoint leaves the
// change undoable.
type Journal func(session.Change) error

// JournalingRunner is a ToolRunner that records each file change ahead of
// writing it (Toolset is one). The agent runs the calls of such a runner
// with RunJournaled and a journal that saves to the Recorder, so that Undo
// covers a write even when the process dies before its checkpoint.
type JournalingRunner interface {
	// RunJournaled is Run, but gives each file change to journal before
	// writing it; if journal fails, the file is not written.
	RunJournaled(ctx context.Context, call chat.ToolCall, journal Journal) ToolOutput
}

// Permission is what the permission rules say about a call.
type Permission int

// Permissions.
const (
	// Allow runs the call without asking.
	Allow Permission = iota
	// Ask needs the user's yes first.
	Ask
	// Deny refuses the call.
	Deny
)

func (p Permission) String() string {
	switch p {
	case Allow:
		return "allow"
	case Ask:
		return "ask"
	case Deny:
		return "deny"
	}
	return "permission(?)"
}

// Gatekeeper decides which calls may run. The agent asks it before every
// call; with no Gatekeeper every call runs.
type Gatekeeper interface {
	// Decide says whether the call may run; reason explains a Deny (it is
	// shown to the model).
	Decide(call chat.ToolCall) (p Permission, reason string)
	// Preview shows what the call would do (a unified diff for an edit, the
	// command for bash), for the user to judge. An error means the call
	// cannot run as written (an edit whose old text is not there): the user
	// is not asked, and the error, a sentence for the model, is the call's
	// result.
	Preview(ctx context.Context, call chat.ToolCall) (string, error)
}

// RuleKeeper is a Gatekeeper that keeps "always" answers as permission
// rules for the rest of the session, so that they apply like the rules of
// the config: an AlwaysPrefix answer to a compound command allows each of
// its parts' prefixes, and a later command runs without asking when every
// part is allowed. Toolset is one. For other gatekeepers the agent keeps
// the answers itself, for whole commands only.
type RuleKeeper interface {
	// AlwaysRules returns the allow rules (as config files spell them,
	// "bash(go test:*)") that the answer, AlwaysPrefix or AlwaysTool, would
	// add for the call; none when it cannot cover the call.
	AlwaysRules(call chat.ToolCall, a Answer) []string
	// AddRules adds allow rules for the rest of the session.
	AddRules(rules []string) error
}

// Answer is the user's answer to a PermissionRequest.
type Answer int

// Answers.
const (
	// No refuses the call; the model is told.
	No Answer = iota
	// Yes allows this call.
	Yes
	// AlwaysTool allows this call and every later call of the same tool in
	// this session.
	AlwaysTool
	// AlwaysPrefix allows this command and every later one that starts with
	// the same prefix (PermissionRequest.Prefix) in this session.
	AlwaysPrefix
)

// Recorder saves the conversation as it goes: session.Session implements
// it. Each method is called as soon as the thing it records is complete.
type Recorder interface {
	// Append saves one finished message of the given user turn.
	Append(turn int, m chat.Message) error
	// Replace saves a new whole context (after compaction or /clear): the
	// messages after it continue from it.
	Replace(msgs []chat.Message) error
	// Prepare records a file's content before a tool of the turn writes
	// it (write-ahead); Checkpoint then marks the change done.
	Prepare(turn int, change session.Change) error
	// Checkpoint saves the content files had before the turn changed them.
	Checkpoint(turn int, changes []session.Change) error
}
