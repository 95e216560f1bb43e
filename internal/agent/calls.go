package agent

// Running the model's tool calls: the permission check, asking the user,
// the loop guard, and the results the model sees.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/session"
)

// runTools runs the calls of the model's last message in order, saving
// each result; after a stop, the calls left are answered as not run.
func (a *Agent) runTools(ctx context.Context, r *run) (State, error) {
	calls := a.msgs[len(a.msgs)-1].ToolCalls
	var stopErr error
	for _, c := range calls {
		var out chat.Message
		var ev *ToolResult
		if stopErr != nil || ctx.Err() != nil {
			out = toolMessage(c, "error: not run: the run was stopped before this call.")
			r.res.ToolCalls = append(r.res.ToolCalls, CallRecord{Name: c.Name, Arguments: safeArgs(c.Arguments), IsError: true})
		} else {
			var err error
			out, ev, err = a.runCall(ctx, r, c)
			if err != nil {
				stopErr = err
			}
		}
		// The result is saved before it is reported.
		if err := a.append(out); err != nil {
			return Failed, err
		}
		if ev != nil {
			a.emit(*ev)
		}
	}
	if stopErr != nil {
		return Failed, stopErr
	}
	if err := ctx.Err(); err != nil {
		return Failed, err
	}
	return AwaitModel, nil
}

// safeArgs returns the call's arguments if they are a JSON object, else {}.
func safeArgs(b json.RawMessage) json.RawMessage {
	var m map[string]any
	if json.Unmarshal(b, &m) != nil || m == nil {
		return json.RawMessage("{}")
	}
	return b
}

// runCall checks and runs one call and returns its result message and the
// event that reports it. An error stops the run (a loop).
func (a *Agent) runCall(ctx context.Context, r *run, c chat.ToolCall) (chat.Message, *ToolResult, error) {
	a.emit(ToolCallStarted{Call: c})
	rec := CallRecord{Name: c.Name, Arguments: safeArgs(c.Arguments)}
	finish := func(out ToolOutput, denied bool, err error) (chat.Message, *ToolResult, error) {
		out.Output = truncate(out.Output, a.maxToolOutput())
		rec.IsError, rec.Denied = out.IsError, denied
		r.res.ToolCalls = append(r.res.ToolCalls, rec)
		var changed []string
		for _, ch := range out.Changes {
			changed = append(changed, ch.Path)
		}
		ev := &ToolResult{Call: c, Output: out.Output, IsError: out.IsError, Denied: denied, Changed: changed}
		content := out.Output
		if out.IsError && !strings.HasPrefix(content, "error") {
			content = "error: " + content
		}
		return toolMessage(c, content), ev, err
	}
	if ctx.Err() != nil {
		return finish(ToolOutput{Output: "not run: the run was stopped before this call.", IsError: true}, false, nil)
	}
	problem, bad := r.problems[c.ID]
	var args json.RawMessage
	if !bad {
		args, problem = validate(a.cfg.Tools.Tools(), c)
	}
	if problem != "" {
		return finish(ToolOutput{Output: problem, IsError: true}, false, nil)
	}
	c.Arguments = args

	key := c.Name + "\x00" + string(args)
	r.repeats[key]++
	n := r.repeats[key]
	if n >= LoopStop {
		err := fmt.Errorf("%w: the model made the same %s call %d times with the same arguments", ErrLoop, c.Name, n)
		return finish(ToolOutput{Output: "not run: " + err.Error() + ".", IsError: true}, false, err)
	}

	if a.cfg.Gate != nil {
		p, reason := a.cfg.Gate.Decide(c)
		if _, keeps := a.cfg.Gate.(RuleKeeper); p == Ask && !keeps && a.granted(c) {
			p = Allow
		}
		switch p {
		case Deny:
			if reason == "" {
				reason = "the permission rules forbid this call. Do not retry it."
			}
			return finish(ToolOutput{Output: "denied: " + reason, IsError: true}, true, nil)
		case Ask:
			ok, why, denied := a.ask(ctx, c)
			if !ok {
				return finish(ToolOutput{Output: why, IsError: true}, denied, nil)
			}
		}
	}

	var out ToolOutput
	if jr, ok := a.cfg.Tools.(JournalingRunner); ok && a.cfg.Recorder != nil {
		turn := a.turn
		out = jr.RunJournaled(ctx, c, func(ch session.Change) error { return a.cfg.Recorder.Prepare(turn, ch) })
	} else {
		out = a.cfg.Tools.Run(ctx, c)
	}
	if len(out.Changes) > 0 {
		if a.cfg.Recorder != nil {
			if err := a.cfg.Recorder.Checkpoint(a.turn, out.Changes); err != nil {
				return finish(out, false, err)
			}
		}
		clear(r.repeats) // the files changed: the same call may now give another result
	} else if n >= LoopWarn {
		out.Output += fmt.Sprintf("\n\n[atelier] You have made this exact call %d times with the same arguments and nothing changed in between, so its result stays the same. Do something different, or give your final answer.", n)
	}
	return finish(out, false, nil)
}

// ask asks the user for permission; it returns whether the call may run and,
// if not, what to tell the model and whether it was a refusal (rather than
// a call that cannot run).
func (a *Agent) ask(ctx context.Context, c chat.ToolCall) (ok bool, why string, denied bool) {
	preview, err := a.cfg.Gate.Preview(ctx, c)
	if err != nil {
		return false, err.Error(), false
	}
	if !a.cfg.Interactive || a.cfg.Events == nil {
		return false, "denied: this call needs the user's permission, and this run is not interactive, so no one can give it. Do not retry it; do what you can without it, then say in your answer what is left to do.", true
	}
	req := PermissionRequest{Call: c, Preview: preview, reply: make(chan Answer, 1), once: new(sync.Once)}
	keeper, _ := a.cfg.Gate.(RuleKeeper)
	if keeper != nil {
		req.PrefixRules = keeper.AlwaysRules(c, AlwaysPrefix)
		req.Prefix = rulePrefixes(req.PrefixRules)
	} else {
		req.Prefix = commandPrefix(c)
	}
	a.emit(req)
	var ans Answer
	select {
	case ans = <-req.reply:
	case <-ctx.Done():
		return false, "denied: the run was stopped while waiting for the user's permission.", true
	}
	switch ans {
	case Yes:
	case AlwaysTool, AlwaysPrefix:
		if keeper != nil {
			rules := req.PrefixRules
			if ans == AlwaysTool {
				rules = keeper.AlwaysRules(c, AlwaysTool)
			}
			if err := keeper.AddRules(rules); err != nil {
				return false, err.Error(), false
			}
		} else if ans == AlwaysTool {
			a.grantTool[c.Name] = true
		} else if req.Prefix != "" {
			a.grantPrefix[c.Name+"\x00"+req.Prefix] = true
		}
	default:
		return false, "denied: the user said no to this call. Do not retry it; ask the user or take another way.", true
	}
	return true, "", false
}

// rulePrefixes names the command prefixes of bash(PREFIX:*) rules, for the
// dialog: "go build, go test".
func rulePrefixes(rules []string) string {
	var ps []string
	for _, r := range rules {
		if p, ok := strings.CutPrefix(r, "bash("); ok {
			ps = append(ps, strings.TrimSuffix(strings.TrimSuffix(p, ")"), ":*"))
		}
	}
	return strings.Join(ps, ", ")
}

// granted says whether an earlier "always" answer covers the call.
func (a *Agent) granted(c chat.ToolCall) bool {
	if a.grantTool[c.Name] {
		return true
	}
	cmd, ok := commandOf(c)
	if !ok || strings.ContainsAny(cmd, ";&|`$()<>\n\\") {
		return false
	}
	for key := range a.grantPrefix {
		tool, prefix, _ := strings.Cut(key, "\x00")
		if tool == c.Name && (cmd == prefix || strings.HasPrefix(cmd, prefix+" ")) {
			return true
		}
	}
	return false
}

func commandOf(c chat.ToolCall) (string, bool) {
	var args struct {
		Command *string `json:"command"`
	}
	if json.Unmarshal(c.Arguments, &args) != nil || args.Command == nil {
		return "", false
	}
	return strings.TrimSpace(*args.Command), true
}

// commandPrefix is the prefix of a command call that "always" allows: the
// program and, when it is a plain word, its subcommand ("go test", "ls").
func commandPrefix(c chat.ToolCall) string {
	cmd, ok := commandOf(c)
	if !ok {
		return ""
	}
	f := strings.Fields(cmd)
	if len(f) == 0 || strings.ContainsAny(f[0], ";&|`$()<>") {
		return ""
	}
	if len(f) > 1 && isWord(f[1]) {
		return f[0] + " " + f[1]
	}
	return f[0]
}

func isWord(s string) bool {
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || i > 0 && (r == '-' || r >= '0' && r <= '9')) {
			return false
		}
	}
	return s != ""
}
