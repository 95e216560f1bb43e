// Package tools holds the coding agent's tools (read, write, edit,
// multiedit, bash, grep, glob, ls, todo), the environment they run in, the
// path guard and the permission rules that decide whether a call may run.
//
// A model's mistake (unknown tool, invalid JSON, a missing or mistyped
// argument, an edit whose old text is not found) is data: it comes back as a
// Result with IsError set and a sentence the model can act on, never as a Go
// error or a panic.
//
// The agent drives a call in four steps:
//
//	call := reg.Inspect(env, name, args)       // what the call touches
//	switch d := tools.Decide(mode, rules, call); d.Kind {
//	case tools.Ask:  p, _ := reg.Preview(ctx, env, name, args) // show p.Diff or p.Command
//	case tools.Deny: // send d.Reason back to the model as the tool result
//	}
//	res := reg.Call(ctx, env, name, args)       // res.Changes for checkpoints
//
// and undoes a turn with Restore(changes).
package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/atelier-dev/atelier/internal/chat"
)

// Tool is one tool offered to the model.
type Tool interface {
	// Name is the name the model calls the tool by.
	Name() string
	// Description tells a small model what the tool does, when to use it,
	// its arguments and an example.
	Description() string
	// Schema is the JSON Schema of the arguments object.
	Schema() json.RawMessage
	// Run performs the call. args has been checked against Schema by the
	// Registry. Run reports every failure in the Result.
	Run(ctx context.Context, env *Env, args json.RawMessage) Result
}

// Result is what a tool call returns to the model.
type Result struct {
	// Output is the text shown to the model.
	Output string
	// IsError marks a failed call; Output then says why.
	IsError bool
	// Changes lists the files the call wrote, in order, with their previous
	// content, so the caller can checkpoint and undo them with Restore.
	Changes []FileChange
}

// FileChange is one file written by a tool.
type FileChange struct {
	// Path is absolute.
	Path string
	// Existed tells whether the file existed before the change.
	Existed bool
	// Before is the previous content (nil when the file did not exist).
	Before []byte
	// After is the new content; nil when the file was deleted.
	After []byte
}

// errorf builds an error Result.
func errorf(format string, a ...any) Result {
	return Result{Output: fmt.Sprintf(format, a...), IsError: true}
}

// Registry is a set of tools by name. Its methods are safe for concurrent
// use once built.
type Registry struct {
	tools map[string]Tool
	order []string
}

// NewRegistry returns a registry of the given tools. It panics when two
// tools share a name or a tool's schema is not valid JSON (programmer
// errors).
func NewRegistry(ts ...Tool) *Registry {
	r := &Registry{tools: map[string]Tool{}}
	for _, t := range ts {
		if _, dup := r.tools[t.Name()]; dup {
			panic("tools: duplicate tool " + t.Name())
		}
		if _, err := parseSchema(t.Schema()); err != nil {
			panic(fmt.Sprintf("tools: tool %s: %v", t.Name(), err))
		}
		r.tools[t.Name()] = t
		r.order = append(r.order, t.Name())
	}
	return r
}

// Default returns a registry of all the tools of this package.
func Default() *Registry {
	return NewRegistry(
		Read{}, Write{}, Edit{}, MultiEdit{},
		Bash{}, Grep{}, Glob{}, LS{}, Todo{},
	)
}

// Tools returns the tools in registration order.
func (r *Registry) Tools() []Tool {
	out := make([]Tool, len(r.order))
	for i, n := range r.order {
		out[i] = r.tools[n]
	}
	return out
}

// Lookup returns the tool with the given name.
func (r *Registry) Lookup(name string) (Tool, bool) {
	t, ok := r.tools[name]
	return t, ok
}

// Specs describes the tools for a chat request.
func (r *Registry) Specs() []chat.Tool {
	out := make([]chat.Tool, 0, len(r.order))
	for _, t := range r.Tools() {
		out = append(out, chat.Tool{Name: t.Name(), Description: t.Description(), Parameters: t.Schema()})
	}
	return out
}

// names lists the tool names, sorted, for error messages.
func (r *Registry) names() string {
	ns := append([]string(nil), r.order...)
	sort.Strings(ns)
	return strings.Join(ns, ", ")
}

// prepare finds the tool and checks and normalizes its arguments; on
// failure it returns the error Result for the model.
func (r *Registry) prepare(name string, args json.RawMessage) (Tool, json.RawMessage, *Result) {
	t, ok := r.tools[name]
	if !ok {
		res := errorf("There is no tool named %q. The tools are: %s.", name, r.names())
		return nil, nil, &res
	}
	norm, err := checkArgs(t.Schema(), args)
	if err != nil {
		res := errorf("Invalid arguments for %s: %v. Expected arguments: %s.", name, err, describeArgs(t.Schema()))
		return nil, nil, &res
	}
	return t, norm, nil
}

// Call runs the named tool. Unknown tools, invalid JSON and missing or
// mistyped arguments give an error Result naming the problem and the
// expected arguments; a panic inside a tool is turned into an error Result
// too, so a bad call never takes the session down.
func (r *Registry) Call(ctx context.Context, env *Env, name string, args json.RawMessage) (res Result) {
	t, norm, bad := r.prepare(name, args)
	if bad != nil {
		return *bad
	}
	defer func() {
		if p := recover(); p != nil {
			res = errorf("The %s tool failed unexpectedly: %v", name, p)
		}
	}()
	return t.Run(ctx, env, norm)
}
