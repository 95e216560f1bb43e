package tools

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

//go:embed todo.md
var todoDoc string

// TodoItem is one task of the model's todo list.
type TodoItem struct {
	Content string `json:"content"`
	// Status is "pending", "in_progress" or "completed".
	Status string `json:"status"`
}

// Todo keeps the model's todo list in the Env: each call replaces the
// whole list and shows it back.
type Todo struct{}

type todoArgs struct {
	Todos []TodoItem `json:"todos"`
}

func (Todo) Name() string        { return "todo" }
func (Todo) Description() string { return strings.TrimSpace(todoDoc) }
func (Todo) Schema() json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{` +
		`"todos":{"type":"array","items":{"type":"object","properties":{` +
		`"content":{"type":"string"},` +
		`"status":{"type":"string","enum":["pending","in_progress","completed"]}},` +
		`"required":["content","status"]}}},` +
		`"required":["todos"]}`)
}

func (Todo) inspect(env *Env, args json.RawMessage) (Call, error) {
	return Call{Kind: KindState}, nil
}

// Run implements Tool.
func (Todo) Run(ctx context.Context, env *Env, args json.RawMessage) Result {
	var a todoArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return errorf("todo: %v", err)
	}
	items := make([]TodoItem, 0, len(a.Todos))
	for i, it := range a.Todos {
		it.Content = strings.TrimSpace(it.Content)
		if it.Content == "" {
			return errorf("Task %d of the todo list has no content; give every task a short description.", i+1)
		}
		items = append(items, it)
	}
	env.SetTodos(items)
	return Result{Output: FormatTodos(items)}
}

// FormatTodos renders a todo list as the model and the user see it.
func FormatTodos(items []TodoItem) string {
	if len(items) == 0 {
		return "The todo list is empty."
	}
	var sb strings.Builder
	done, active := 0, 0
	for _, it := range items {
		mark := "[ ]"
		switch it.Status {
		case "completed":
			mark = "[x]"
			done++
		case "in_progress":
			mark = "[>]"
			active++
		}
		fmt.Fprintf(&sb, "%s %s\n", mark, it.Content)
	}
	fmt.Fprintf(&sb, "(%d of %d done)", done, len(items))
	if active > 1 {
		sb.WriteString("\nNote: more than one task is in progress; work on one at a time.")
	}
	return sb.String()
}
