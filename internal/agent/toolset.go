package agent

import (
	"context"
	"errors"

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
	Rules    tools.Rules
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
	d := tools.Decide(t.Mode, t.Rules, call)
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
