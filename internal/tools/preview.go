package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// inspector is implemented by the tools of this package: it tells what a
// call touches, for the permission check. args are normalized.
type inspector interface {
	inspect(env *Env, args json.RawMessage) (Call, error)
}

// planner is implemented by the tools that change files: it computes the
// changes without writing them. A failure is a sentence for the model.
type planner interface {
	plan(env *Env, args json.RawMessage) ([]FileChange, error)
}

// ErrInvalidCall reports a call that cannot run as written (unknown tool,
// bad arguments, an edit that does not apply). Registry.Call returns the
// same problem to the model as an error Result.
var ErrInvalidCall = errors.New("tools: invalid call")

// invalid wraps a model-facing sentence as an ErrInvalidCall error whose
// message is the sentence alone.
type invalidCall struct{ msg string }

func (e *invalidCall) Error() string        { return e.msg }
func (e *invalidCall) Is(target error) bool { return target == ErrInvalidCall }

// Inspect tells what a call would touch, for Decide. When the call cannot
// run (unknown tool, bad arguments, a path that cannot be resolved) the
// error wraps ErrInvalidCall and its message is the sentence Call would
// return to the model; no permission is needed to report that, so the
// caller can go straight to Call.
func (r *Registry) Inspect(env *Env, name string, args json.RawMessage) (Call, error) {
	t, norm, bad := r.prepare(name, args)
	if bad != nil {
		return Call{Tool: name, Kind: KindExec}, &invalidCall{bad.Output}
	}
	in, ok := t.(inspector)
	if !ok {
		return Call{Tool: name, Kind: KindExec, Args: norm, Root: env.Root}, nil
	}
	c, err := in.inspect(env, norm)
	if err != nil {
		return Call{Tool: name, Kind: KindExec}, &invalidCall{err.Error()}
	}
	c.Tool, c.Args, c.Root = name, norm, env.Root
	return c, nil
}

// Preview shows what a call would do, for the user to approve.
type Preview struct {
	// Tool is the tool's name.
	Tool string
	// Summary is one line: "edit main.go (+3 -1)", "run: go test ./...".
	Summary string
	// Command is the command line of a bash call.
	Command string
	// Diff is a unified diff of the changes of a write, edit or multiedit.
	Diff string
	// Changes are the changes the call would make.
	Changes []FileChange
}

// Preview computes what a call would do without doing it: the changes and
// their unified diff for the file tools, the command for bash. The error
// wraps ErrInvalidCall when the call would fail; its message is then the
// sentence Call would return to the model.
func (r *Registry) Preview(ctx context.Context, env *Env, name string, args json.RawMessage) (Preview, error) {
	t, norm, bad := r.prepare(name, args)
	if bad != nil {
		return Preview{Tool: name}, &invalidCall{bad.Output}
	}
	p := Preview{Tool: name}
	if pl, ok := t.(planner); ok {
		changes, err := pl.plan(env, norm)
		if err != nil {
			return p, &invalidCall{err.Error()}
		}
		p.Changes = changes
		var sb strings.Builder
		var sum []string
		for _, c := range changes {
			rel := env.rel(c.Path)
			oldName, newName := "a/"+rel, "b/"+rel
			if !c.Existed {
				oldName = "/dev/null"
			}
			if c.After == nil {
				newName = "/dev/null"
			}
			d := UnifiedDiff(oldName, newName, c.Before, c.After)
			sb.WriteString(d)
			add, del := diffStat(d)
			sum = append(sum, fmt.Sprintf("%s (+%d -%d)", rel, add, del))
		}
		p.Diff = sb.String()
		p.Summary = name + " " + strings.Join(sum, ", ")
		return p, nil
	}
	c, err := r.Inspect(env, name, args)
	if err != nil {
		return p, err
	}
	if c.Command != "" {
		p.Command = c.Command
		p.Summary = "run: " + c.Command
		return p, nil
	}
	p.Summary = name
	if len(c.Paths) > 0 {
		p.Summary += " " + displayPaths(c)
	}
	return p, nil
}

// diffStat counts the added and deleted lines of a unified diff.
func diffStat(d string) (add, del int) {
	for _, l := range strings.Split(d, "\n") {
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
		case strings.HasPrefix(l, "+"):
			add++
		case strings.HasPrefix(l, "-"):
			del++
		}
	}
	return add, del
}
