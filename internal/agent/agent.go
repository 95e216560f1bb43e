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

// Sentinel errors of a run.
var (
	// ErrMaxTurns: the run made Config.MaxTurns model calls without
	// finishing.
	ErrMaxTurns = errors.New("agent: too many turns")
	// ErrLoop: the model kept making the same call.
	ErrLoop = errors.New("agent: stopped a loop")
	// ErrNothingToContinue: Run was given no prompt and the conversation
	// does not wait for the model.
	ErrNothingToContinue = errors.New("agent: nothing to continue")
)

// State is a phase of the loop. A run starts in AwaitModel and moves:
//
//	AwaitModel -> RunTools    the model called tools
//	AwaitModel -> Compacting  the context is over the threshold (before the call)
//	AwaitModel -> Done        the model answered without calling a tool
//	RunTools   -> AwaitModel  every call has its result
//	Compacting -> AwaitModel  the older messages were summarized
//	any        -> Failed      the context ended, the model failed, a loop or
//	                          the turn limit stopped the run
type State int

// States.
const (
	AwaitModel State = iota
	RunTools
	Compacting
	Done
	Failed
)

func (s State) String() string {
	return [...]string{"await-model", "run-tools", "compacting", "done", "failed"}[s]
}

// Defaults of Config.
const (
	DefaultMaxTurns      = 50
	DefaultContextWindow = 8192
	DefaultCompactAt     = 0.75
	// Loop detection: the same call (same tool, same arguments) with no file
	// changed in between is pointed out at LoopWarn and stops the run at
	// LoopStop.
	LoopWarn = 3
	LoopStop = 5
)

// Config sets up an Agent. Client and Tools are required.
type Config struct {
	Client Client
	Tools  ToolRunner
	// Gate decides which calls need permission; nil allows all.
	Gate Gatekeeper
	// System is the system prompt (see SystemPrompt).
	System string
	// Recorder saves the conversation; nil saves nothing.
	Recorder Recorder
	// Events receives what happens; nil drops it.
	Events func(Event)
	// Interactive says a person answers PermissionRequests. When false, a
	// call that needs permission is denied and the model is told why.
	Interactive bool
	// MaxTurns caps the model calls of one run (default DefaultMaxTurns).
	MaxTurns int
	// MaxTokens caps each answer of the model (0: the backend's default).
	MaxTokens int
	// ContextWindow is used when the client does not know its own (default
	// DefaultContextWindow).
	ContextWindow int
	// CompactAt is the fraction of the window at which the conversation is
	// compacted (default DefaultCompactAt).
	CompactAt float64
	// MaxToolOutput caps a tool's output in bytes (default: an eighth of
	// the window, at about 3 bytes a token, within [2 KiB, 32 KiB]).
	MaxToolOutput int
}

// Agent holds one conversation and runs the model on it. It is not safe for
// concurrent use: one Run at a time.
type Agent struct {
	cfg  Config
	msgs []chat.Message // the context, without the system prompt
	turn int

	grantTool   map[string]bool
	grantPrefix map[string]bool

	// usageTokens is the context size the backend reported for msgs[:usageAt].
	usageTokens, usageAt int
	note                 string
	nextID               int
}

// New returns an agent continuing the given conversation (nil for a new
// one), whose last user turn was turn (0 for a new one).
func New(cfg Config, history []chat.Message, turn int) *Agent {
	if cfg.Client == nil || cfg.Tools == nil {
		panic("agent: New needs a Client and Tools")
	}
	if cfg.MaxTurns <= 0 {
		cfg.MaxTurns = DefaultMaxTurns
	}
	if cfg.CompactAt <= 0 || cfg.CompactAt >= 1 {
		cfg.CompactAt = DefaultCompactAt
	}
	return &Agent{
		cfg:         cfg,
		msgs:        append([]chat.Message(nil), history...),
		turn:        turn,
		grantTool:   map[string]bool{},
		grantPrefix: map[string]bool{},
	}
}

// Messages returns the current context (without the system prompt).
func (a *Agent) Messages() []chat.Message { return append([]chat.Message(nil), a.msgs...) }

// Turn returns the number of the last user turn.
func (a *Agent) Turn() int { return a.turn }

// SetClient switches the model (the /model command); the conversation stays.
func (a *Agent) SetClient(c Client) {
	a.cfg.Client = c
	a.usageAt, a.usageTokens = 0, 0
}

// Note adds a line that the next prompt will carry to the model, such as
// "the user undid the last turn's file changes".
func (a *Agent) Note(s string) {
	if a.note != "" {
		a.note += "\n"
	}
	a.note += s
}

// Clear forgets the conversation (the /clear command).
func (a *Agent) Clear() error {
	a.msgs = nil
	a.usageAt, a.usageTokens = 0, 0
	if a.cfg.Recorder != nil {
		return a.cfg.Recorder.Replace(nil)
	}
	return nil
}

// CallRecord is a tool call of a run, for the headless report.
type CallRecord struct {
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
	IsError   bool            `json:"is_error,omitempty"`
	Denied    bool            `json:"denied,omitempty"`
}

// Result is what a run did.
type Result struct {
	// Text is the model's final answer.
	Text string
	// Steps counts the model calls.
	Steps     int
	ToolCalls []CallRecord
	Usage     Usage
}

// run is the state of one Run.
type run struct {
	res     Result
	repeats map[string]int
	// problems are the errors of the calls that could not be parsed, by id.
	problems map[string]string
	// compactedAt is the step at which the run last compacted, so that a
	// context that stays over the threshold is not compacted again and again.
	compactedAt int
}

func (a *Agent) emit(e Event) {
	if a.cfg.Events != nil {
		a.cfg.Events(e)
	}
}

func (a *Agent) append(m chat.Message) error {
	a.msgs = append(a.msgs, m)
	if a.cfg.Recorder != nil {
		if err := a.cfg.Recorder.Append(a.turn, m); err != nil {
			return err
		}
	}
	return nil
}

// Run gives the model a prompt and runs it until it answers without calling
// a tool. With an empty prompt it continues the conversation as it is (after
// a resume, when the last message is the user's or a tool result). A failed
// run returns the partial Result with the error; the conversation stays
// consistent (every call has its result) either way.
func (a *Agent) Run(ctx context.Context, prompt string) (Result, error) {
	r := &run{repeats: map[string]int{}, problems: map[string]string{}, compactedAt: -1}
	err := a.start(prompt)
	if err == nil {
		a.emit(TurnStarted{Turn: a.turn, Prompt: prompt})
		err = a.loop(ctx, r)
	}
	if err != nil {
		a.emit(Error{Err: err})
		return r.res, err
	}
	a.emit(TurnFinished{Turn: a.turn, Result: r.res.Text, Steps: r.res.Steps, Usage: r.res.Usage})
	return r.res, nil
}

func (a *Agent) start(prompt string) error {
	if err := a.repair(); err != nil {
		return err
	}
	if prompt == "" {
		if len(a.msgs) == 0 || a.msgs[len(a.msgs)-1].Role == chat.RoleAssistant {
			return ErrNothingToContinue
		}
		return nil
	}
	a.turn++
	if a.note != "" {
		prompt = "(" + a.note + ")\n\n" + prompt
		a.note = ""
	}
	return a.append(chat.Message{Role: chat.RoleUser, Content: prompt})
}

// repair answers the calls of the last assistant message that have no
// result (the process stopped while they ran).
func (a *Agent) repair() error {
	last := -1
	for i := len(a.msgs) - 1; i >= 0; i-- {
		if a.msgs[i].Role == chat.RoleAssistant {
			last = i
			break
		}
	}
	if last < 0 {
		return nil
	}
	answered := map[string]bool{}
	for _, m := range a.msgs[last+1:] {
		if m.Role == chat.RoleTool {
			answered[m.ToolCallID] = true
		}
	}
	for _, c := range a.msgs[last].ToolCalls {
		if !answered[c.ID] {
			if err := a.append(toolMessage(c, "error: interrupted: atelier stopped before this call finished; check its effect before retrying it.")); err != nil {
				return err
			}
		}
	}
	return nil
}

func toolMessage(c chat.ToolCall, content string) chat.Message {
	return chat.Message{Role: chat.RoleTool, ToolCallID: c.ID, Name: c.Name, Content: content}
}

func (a *Agent) loop(ctx context.Context, r *run) error {
	st := AwaitModel
	for {
		var err error
		switch st {
		case AwaitModel:
			st, err = a.awaitModel(ctx, r)
		case RunTools:
			st, err = a.runTools(ctx, r)
		case Compacting:
			r.compactedAt = r.res.Steps
			err = a.compact(ctx, &r.res.Usage)
			st = AwaitModel
		case Done:
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (a *Agent) awaitModel(ctx context.Context, r *run) (State, error) {
	if err := ctx.Err(); err != nil {
		return Failed, err
	}
	if r.res.Steps >= a.cfg.MaxTurns {
		return Failed, fmt.Errorf("%w: stopped after %d model calls (raise --max-turns to allow more)", ErrMaxTurns, r.res.Steps)
	}
	if r.compactedAt != r.res.Steps && a.overThreshold() && a.cutIndex(a.keepBudget()) > 0 {
		return Compacting, nil
	}
	resp, err := a.cfg.Client.Stream(ctx, a.request(), func(d Delta) error {
		if d.Reasoning != "" {
			a.emit(ReasoningDelta{Text: d.Reasoning})
		}
		if d.Text != "" {
			a.emit(TextDelta{Text: d.Text})
		}
		return nil
	})
	if err != nil {
		return Failed, err
	}
	r.res.Steps++
	r.res.Usage = r.res.Usage.Add(resp.Usage)
	msg := a.assistantMessage(resp, r.problems)
	if err := a.append(msg); err != nil {
		return Failed, err
	}
	if resp.Usage.PromptTokens > 0 {
		a.usageTokens = resp.Usage.PromptTokens + resp.Usage.CompletionTokens
		a.usageAt = len(a.msgs)
	}
	if len(msg.ToolCalls) == 0 {
		r.res.Text = msg.Content
		return Done, nil
	}
	return RunTools, nil
}

func (a *Agent) request() Request {
	msgs := make([]chat.Message, 0, len(a.msgs)+1)
	if a.cfg.System != "" {
		msgs = append(msgs, chat.Message{Role: chat.RoleSystem, Content: a.cfg.System})
	}
	msgs = append(msgs, a.msgs...)
	return Request{Messages: msgs, Tools: a.cfg.Tools.Tools(), MaxTokens: a.cfg.MaxTokens}
}

// assistantMessage makes the response's message safe to keep: every call
// gets an id; arguments that are not a JSON object are kept as {}, and each
// malformed call becomes a call named as far as it could be read, with {}
// arguments. What is wrong with those calls goes into problems, by call id,
// to be their error results.
func (a *Agent) assistantMessage(resp Response, problems map[string]string) chat.Message {
	msg := resp.Message
	msg.Role = chat.RoleAssistant
	calls := make([]chat.ToolCall, 0, len(msg.ToolCalls)+len(resp.Malformed))
	for _, c := range msg.ToolCalls {
		if c.ID == "" {
			c.ID = a.newID()
		}
		if p := argsProblem(c.Arguments); p != "" {
			problems[c.ID] = p
			c.Arguments = json.RawMessage("{}")
		}
		calls = append(calls, c)
	}
	for _, m := range resp.Malformed {
		c := chat.ToolCall{ID: a.newID(), Name: m.Name, Arguments: json.RawMessage("{}")}
		if c.Name == "" {
			c.Name = "unparsed"
		}
		problems[c.ID] = fmt.Sprintf("your tool call could not be read: %s The call as you wrote it: %s\nWrite the call again, well-formed.", sentence(m.Err), clip(m.Raw, 500))
		calls = append(calls, c)
	}
	msg.ToolCalls = calls
	return msg
}

func (a *Agent) newID() string {
	a.nextID++
	return fmt.Sprintf("call_%d_%d", a.turn, a.nextID)
}

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
