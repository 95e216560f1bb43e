package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/atelier-dev/atelier/internal/chat"
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
