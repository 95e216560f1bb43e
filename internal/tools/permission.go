package tools

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Mode is a permission mode.
type Mode string

// The permission modes.
const (
	// ModeAsk (the default) asks before every edit and command.
	ModeAsk Mode = "ask"
	// ModeAcceptEdits allows edits inside the project; commands ask.
	ModeAcceptEdits Mode = "accept-edits"
	// ModePlan is read-only: edits and commands are refused.
	ModePlan Mode = "plan"
	// ModeBypass allows everything the deny rules do not forbid.
	ModeBypass Mode = "bypass"
)

// ErrBadMode reports an unknown permission mode.
var ErrBadMode = errors.New("unknown permission mode")

// ParseMode parses a mode name; "" is ModeAsk. It also accepts the
// spellings "default", "acceptEdits" and "bypassPermissions".
func ParseMode(s string) (Mode, error) {
	switch strings.TrimSpace(s) {
	case "", "ask", "default":
		return ModeAsk, nil
	case "accept-edits", "acceptEdits", "accept_edits":
		return ModeAcceptEdits, nil
	case "plan":
		return ModePlan, nil
	case "bypass", "bypassPermissions", "bypass-permissions":
		return ModeBypass, nil
	}
	return "", fmt.Errorf("tools: permission mode %q: %w (want ask, accept-edits, plan or bypass)", s, ErrBadMode)
}

// Kind classifies what a tool call does.
type Kind int

// The kinds of tool calls.
const (
	// KindRead reads files (read, grep, glob, ls).
	KindRead Kind = iota
	// KindEdit changes files (write, edit, multiedit).
	KindEdit
	// KindExec runs a command (bash); also the kind of unknown tools.
	KindExec
	// KindState only changes the agent's own state (todo).
	KindState
)

func (k Kind) String() string {
	switch k {
	case KindRead:
		return "read"
	case KindEdit:
		return "edit"
	case KindExec:
		return "exec"
	case KindState:
		return "state"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Call is what the permission check knows about a tool call.
type Call struct {
	// Tool is the tool's name.
	Tool string
	// Kind is what the tool does.
	Kind Kind
	// Args are the normalized arguments.
	Args json.RawMessage
	// Command is the bash command line.
	Command string
	// Root is the project root; path rules are relative to it.
	Root string
	// Paths are the resolved absolute paths the call reads or writes.
	Paths []string
	// Outside is set when a path lies outside the project root.
	Outside bool
	// Sensitive is set when a path looks like a secret file.
	Sensitive bool
}

// DecisionKind is the outcome of a permission check.
type DecisionKind int

// The outcomes.
const (
	// Allow runs the call.
	Allow DecisionKind = iota
	// Ask asks the user first.
	Ask
	// Deny refuses the call; Reason goes back to the model.
	Deny
)

func (k DecisionKind) String() string {
	switch k {
	case Allow:
		return "allow"
	case Ask:
		return "ask"
	case Deny:
		return "deny"
	}
	return fmt.Sprintf("DecisionKind(%d)", int(k))
}

// Decision is the outcome of Decide with its reason: for Ask a sentence
// for the user ("edit main.go"), for Deny a sentence for the model.
type Decision struct {
	Kind   DecisionKind
	Reason string
}

// Decide applies the mode and the rules to a call:
//
//   - a deny rule that matches wins over everything;
//   - in plan mode, edits and commands are refused;
//   - an ask rule that matches asks (every part of a compound command and
//     every path is checked), whatever the allow rules and the mode say;
//   - an allow rule that matches allows the call (every part of a compound
//     bash command must match; a rule without a path pattern does not
//     cover paths outside the project or secret files);
//   - bypass allows everything else;
//   - reads are allowed, except outside the project or of secret files,
//     which ask;
//   - edits are allowed in accept-edits mode inside the project (not of
//     secret files), and ask otherwise;
//   - commands ask.
func Decide(mode Mode, rules Rules, call Call) Decision {
	if r, ok := rules.denies(call); ok {
		return Decision{Kind: Deny, Reason: fmt.Sprintf("The %s call is forbidden by the deny rule %s. Do not retry it; find another way or ask the user.", call.Tool, r)}
	}
	if mode == ModePlan && (call.Kind == KindEdit || call.Kind == KindExec) {
		return Decision{Kind: Deny, Reason: fmt.Sprintf("You are in plan mode, which is read-only: the %s tool is not available. Read and search the code, then present your plan to the user; they will switch modes to let you carry it out.", call.Tool)}
	}
	if r, ok := rules.asks(call); ok {
		what := "run the " + call.Tool + " tool"
		switch {
		case call.Command != "":
			what = "run " + call.Command
		case len(call.Paths) > 0:
			what = call.Tool + " " + displayPaths(call)
		}
		return Decision{Kind: Ask, Reason: fmt.Sprintf("%s (the rule %s asks first)", what, r)}
	}
	if rules.allows(call) {
		return Decision{Kind: Allow}
	}
	if mode == ModeBypass {
		return Decision{Kind: Allow}
	}
	guard := guardReason(call)
	switch call.Kind {
	case KindState:
		return Decision{Kind: Allow}
	case KindRead:
		if guard != "" {
			return Decision{Kind: Ask, Reason: fmt.Sprintf("%s: %s", call.Tool, guard)}
		}
		return Decision{Kind: Allow}
	case KindEdit:
		if guard == "" && mode == ModeAcceptEdits {
			return Decision{Kind: Allow}
		}
		reason := fmt.Sprintf("%s %s", call.Tool, displayPaths(call))
		if guard != "" {
			reason += ": " + guard
		}
		return Decision{Kind: Ask, Reason: reason}
	}
	if call.Command != "" {
		return Decision{Kind: Ask, Reason: "run " + call.Command}
	}
	return Decision{Kind: Ask, Reason: "run the " + call.Tool + " tool"}
}

func guardReason(call Call) string {
	switch {
	case call.Outside && call.Sensitive:
		return "a secret file outside the project"
	case call.Outside:
		return "outside the project directory"
	case call.Sensitive:
		return "a file that may hold secrets"
	}
	return ""
}

func displayPaths(call Call) string {
	ps := make([]string, len(call.Paths))
	for i, p := range call.Paths {
		ps[i] = relTo(call.Root, p)
	}
	return strings.Join(ps, ", ")
}

// relTo returns p relative to root with slashes, or p itself when it lies
// outside root.
func relTo(root, p string) string {
	if root == "" || !within(root, p) {
		return filepath.ToSlash(p)
	}
	r, err := filepath.Rel(root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}
