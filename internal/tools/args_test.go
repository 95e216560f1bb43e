package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckArgs(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","properties":{
		"s":{"type":"string"},"n":{"type":"integer"},"b":{"type":"boolean"},
		"e":{"type":"string","enum":["x","y"]},
		"list":{"type":"array","items":{"type":"object","properties":{"k":{"type":"string"}},"required":["k"]}}},
		"required":["s"]}`)
	tests := []struct {
		args string
		want string // normalized JSON, or "error: substring"
	}{
		{`{"s":"a"}`, `{"s":"a"}`},
		{`  {"s":"a","n":3}  `, `{"n":3,"s":"a"}`},
		{`"{\"s\":\"a\"}"`, `{"s":"a"}`},
		{`{"s":"a","n":"12"}`, `{"n":12,"s":"a"}`},
		{`{"s":"a","b":"true"}`, `{"b":true,"s":"a"}`},
		{`{"s":7}`, `{"s":"7"}`},
		{`{"s":"a","n":null}`, `{"s":"a"}`},
		{`{"s":"a","extra":1}`, `{"s":"a"}`},
		{`{"s":"a","list":"[{\"k\":\"v\"}]"}`, `{"list":[{"k":"v"}],"s":"a"}`},
		{``, `error: missing required argument "s"`},
		{`null`, `error: missing required argument "s"`},
		{`{"path":"a"}`, `error: missing required argument "s" (unknown argument "path")`},
		{`{"s":"a","n":1.5}`, `error: argument "n" must be a whole number`},
		{`{"s":"a","n":"ten"}`, `error: argument "n" must be a number, not the string "ten"`},
		{`{"s":"a","b":3}`, `error: argument "b" must be true or false, not a number`},
		{`{"s":"a","e":"z"}`, `error: argument "e" must be one of "x", "y", not "z"`},
		{`{"s":"a","list":[{}]}`, `error: missing required argument "list[0].k"`},
		{`{"s":"a","list":{"k":"v"}}`, `error: argument "list" must be an array, not an object`},
		{`{"s":}`, `error: the arguments are not valid JSON (invalid character '}'`},
		{`[1]`, `error: the arguments must be a JSON object, not an array`},
		{`{"s":["a"]}`, `error: argument "s" must be a string, not an array`},
	}
	for _, tt := range tests {
		got, err := checkArgs(schema, json.RawMessage(tt.args))
		if w, isErr := strings.CutPrefix(tt.want, "error: "); isErr {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("checkArgs(%s) = %s, %v; want error %q", tt.args, got, err, w)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("checkArgs(%s) = %s, %v; want %s", tt.args, got, err, tt.want)
		}
	}
}

type panicky struct{}

func (panicky) Name() string            { return "panicky" }
func (panicky) Description() string     { return "" }
func (panicky) Schema() json.RawMessage { return json.RawMessage(`{"type":"object"}`) }
func (panicky) Run(context.Context, *Env, json.RawMessage) Result {
	panic("boom")
}

func TestRegistry(t *testing.T) {
	env := newTestEnv(t, nil)
	reg := NewRegistry(panicky{}, Read{})
	if res := reg.Call(context.Background(), env, "panicky", nil); !res.IsError || !strings.Contains(res.Output, "boom") {
		t.Errorf("panic not caught: %+v", res)
	}
	// A foreign tool is inspected as a command: it asks.
	c, err := reg.Inspect(env, "panicky", nil)
	if err != nil || c.Kind != KindExec || Decide(ModeAcceptEdits, Rules{}, c).Kind != Ask {
		t.Errorf("foreign tool: %+v, %v", c, err)
	}
	specs := Default().Specs()
	if len(specs) != 9 {
		t.Fatalf("%d specs", len(specs))
	}
	for _, s := range specs {
		if len(s.Description) < 40 || !strings.Contains(s.Description, "Example: {") {
			t.Errorf("%s: the description is short or has no example", s.Name)
		}
		// Each description's example is a valid call.
		ex := s.Description[strings.LastIndex(s.Description, "Example: ")+len("Example: "):]
		if _, err := checkArgs(s.Parameters, json.RawMessage(strings.TrimSpace(ex))); err != nil {
			t.Errorf("%s: the example %s does not check: %v", s.Name, ex, err)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("a duplicate tool did not panic")
		}
	}()
	NewRegistry(Read{}, Read{})
}

func TestTodo(t *testing.T) {
	env := newTestEnv(t, nil)
	res := call(t, env, "todo", map[string]any{"todos": []map[string]string{
		{"content": "find the bug", "status": "completed"},
		{"content": "fix it", "status": "in_progress"},
		{"content": "test", "status": "pending"},
	}})
	want := "[x] find the bug\n[>] fix it\n[ ] test\n(1 of 3 done)"
	if res.IsError || res.Output != want {
		t.Errorf("todo = %q, want %q", res.Output, want)
	}
	if got := env.Todos(); len(got) != 3 || got[1].Status != "in_progress" {
		t.Errorf("env todos %+v", got)
	}
	if res := call(t, env, "todo", map[string]any{"todos": []map[string]string{{"content": " ", "status": "pending"}}}); !res.IsError {
		t.Errorf("empty task accepted: %+v", res)
	}
	if res := call(t, env, "todo", map[string]any{"todos": []any{}}); res.Output != "The todo list is empty." || len(env.Todos()) != 0 {
		t.Errorf("clearing: %+v", res)
	}
}

// BenchmarkGrep searches a generated tree of 2000 files in 200
// directories, a tenth of them ignored.
func BenchmarkGrep(b *testing.B) {
	dir := b.TempDir()
	for d := range 200 {
		sub := filepath.Join(dir, fmt.Sprintf("pkg%03d", d))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		if d%10 == 0 {
			os.WriteFile(filepath.Join(sub, ".gitignore"), []byte("*.gen.go\n"), 0o644)
		}
		for f := range 10 {
			var sb strings.Builder
			for l := range 200 {
				fmt.Fprintf(&sb, "func f%d_%d() int { return %d }\n", f, l, l)
			}
			name := fmt.Sprintf("f%d.go", f)
			if f == 0 && d%10 == 0 {
				name = "x.gen.go"
			}
			os.WriteFile(filepath.Join(sub, name), []byte(sb.String()), 0o644)
		}
	}
	env, err := NewEnv(dir)
	if err != nil {
		b.Fatal(err)
	}
	args := json.RawMessage(`{"pattern":"return 19[0-9]","output_mode":"count"}`)
	reg := Default()
	for b.Loop() {
		if res := reg.Call(context.Background(), env, "grep", args); res.IsError {
			b.Fatal(res.Output)
		}
	}
}
