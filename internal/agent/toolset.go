package agent

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/session"
	"github.com/atelier-dev/atelier/internal/tools"
)

// Toolset runs the tools of a tools.Registry in an environment, under a
// permission mode and rules: it is both the ToolRunner and the Gatekeeper of
// an agent.
type Toolset struct {
	Registry *tools.Registry
	Env      *tools.Env
	Mode     tools.Mode
	// Rules are the rules of the config files.
	Rules tools.Rules

	mu sync.Mutex
	// session are the allow rules of the "always" answers.
	session tools.Rules
}

// NewToolset returns the default tools rooted at dir.
func NewToolset(dir string, mode tools.Mode, rules tools.Rules) (*Toolset, error) {
	env, err := tools.NewEnv(dir)
	if err != nil {
		return nil, err
	}
	env.SetRules(rules)
	return &Toolset{Registry: tools.Default(), Env: env, Mode: mode, Rules: rules}, nil
}

// Tools implements ToolRunner.
func (t *Toolset) Tools() []chat.Tool { return t.Registry.Specs() }

// Run implements ToolRunner.
func (t *Toolset) Run(ctx context.Context, c chat.ToolCall) ToolOutput {
	return t.RunJournaled(ctx, c, nil)
}

// RunJournaled implements JournalingRunner.
func (t *Toolset) RunJournaled(ctx context.Context, c chat.ToolCall, journal Journal) ToolOutput {
	if journal != nil {
		ctx = tools.WithJournal(ctx, func(ch tools.FileChange) error {
			return journal(session.Change{Path: ch.Path, Existed: ch.Existed, Before: ch.Before})
		})
	}
	res := t.Registry.Call(ctx, t.Env, c.Name, c.Arguments)
	out := ToolOutput{Output: res.Output, IsError: res.IsError}
	for _, ch := range res.Changes {
		out.Changes = append(out.Changes, session.Change{Path: ch.Path, Existed: ch.Existed, Before: ch.Before})
	}
	return out
}

// Decide implements Gatekeeper with tools.Decide. A call that cannot run
// as written is allowed: running it only returns its error to the model.
func (t *Toolset) Decide(c chat.ToolCall) (Permission, string) {
	call, err := t.Registry.Inspect(t.Env, c.Name, c.Arguments)
	if err != nil {
		return Allow, ""
	}
	d := tools.Decide(t.Mode, t.rules(), call)
	switch d.Kind {
	case tools.Deny:
		return Deny, d.Reason
	case tools.Ask:
		return Ask, d.Reason
	}
	return Allow, ""
}

// Preview implements Gatekeeper: a summary line, then the unified diff of
// an edit or the command line.
func (t *Toolset) Preview(ctx context.Context, c chat.ToolCall) (string, error) {
	p, err := t.Registry.Preview(ctx, t.Env, c.Name, c.Arguments)
	if errors.Is(err, tools.ErrInvalidCall) {
		return "", err
	}
	if err != nil {
		return c.Name + " (no preview: " + err.Error() + ")", nil
	}
	switch {
	case p.Diff != "":
		return p.Summary + "\n" + p.Diff, nil
	case p.Command != "":
		return "$ " + p.Command, nil
	}
	return p.Summary, nil
}

func (t *Toolset) rules() tools.Rules {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.Rules.Add(t.session)
}

// SessionRules returns the allow rules added by "always" answers.
func (t *Toolset) SessionRules() []tools.Rule {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]tools.Rule(nil), t.session.Allow...)
}

// AlwaysRules implements RuleKeeper: for AlwaysPrefix, a bash(PREFIX:*)
// rule for each part of the command that no rule allows yet (see
// tools.PrefixRules); for AlwaysTool, the rule on the whole tool (which, for
// the file tools, still leaves paths outside the project and secret files
// to ask).
func (t *Toolset) AlwaysRules(c chat.ToolCall, a Answer) []string {
	call, err := t.Registry.Inspect(t.Env, c.Name, c.Arguments)
	if err != nil {
		return nil
	}
	switch a {
	case AlwaysTool:
		return []string{c.Name}
	case AlwaysPrefix:
		var out []string
		for _, r := range tools.PrefixRules(t.rules(), call) {
			out = append(out, r.String())
		}
		return out
	}
	return nil
}

// AddRules implements RuleKeeper.
func (t *Toolset) AddRules(rules []string) error {
	var add []tools.Rule
	for _, s := range rules {
		r, err := tools.ParseRule(s)
		if err != nil {
			return fmt.Errorf("agent: %w", err)
		}
		add = append(add, r)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.session.Allow = append(t.session.Allow, add...)
	return nil
}
