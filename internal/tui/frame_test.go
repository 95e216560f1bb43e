package tui

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/models"
	"github.com/atelier-dev/atelier/internal/tools"
)

var update = flag.Bool("update", false, "rewrite the golden frames in testdata")

// stubClient is a model that is never called: the frames are built from
// events.
type stubClient struct{}

func (stubClient) Stream(context.Context, agent.Request, func(agent.Delta) error) (agent.Response, error) {
	return agent.Response{}, nil
}

// newFrameModel returns a model at a fixed size and clock.
func newFrameModel(t *testing.T, w, h int, o Options) *Model {
	t.Helper()
	o.Width, o.Height = w, h
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	m := New(context.Background(), o)
	clock := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return clock }
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

func withAgent() Options {
	ts := &agent.Toolset{Mode: tools.ModeAsk}
	return Options{
		Agent: agent.Config{Client: stubClient{}, Tools: nopTools{}, Gate: ts},
		Model: ModelInfo{Name: "qwen2.5-coder:1.5b", Quant: "Q4_K_M"},
	}
}

type nopTools struct{}

func (nopTools) Tools() []chat.Tool                                  { return nil }
func (nopTools) Run(context.Context, chat.ToolCall) agent.ToolOutput { return agent.ToolOutput{} }

// feed gives the model a batch of backend events.
func feed(m *Model, evs ...any) {
	m.Update(eventsMsg(evs))
}

func call(id, name, args string) chat.ToolCall {
	return chat.ToolCall{ID: id, Name: name, Arguments: json.RawMessage(args)}
}

const answerMD = "The test fails because `Add` subtracts.\n\n## Fix\n\nChange the operator in **calc.go**:\n\n```go\nfunc Add(a, b int) int {\n\treturn a + b\n}\n```\n\n- run `go test ./...`\n- then commit\n"

const editDiff = "edit calc.go: 1 replacement\n--- a/calc.go\n+++ b/calc.go\n@@ -1,5 +1,5 @@\n package calc\n \n func Add(a, b int) int {\n-\treturn a - b\n+\treturn a + b\n }\n"

// conversation plays a turn with thinking, a command, an edit and an answer.
func conversation(m *Model) {
	m.tr.add(&userBlock{text: "The tests fail in calc.go, fix them please."})
	m.running = true
	feed(m, agent.TurnStarted{Turn: 1},
		agent.ReasoningDelta{Text: "The user says tests fail.\nI should run them first,\nthen read calc.go,\nthen fix the bug,\nand run the tests again."},
		agent.TextDelta{Text: "Let me run the tests."},
		agent.ToolCallStarted{Call: call("c1", "bash", `{"command":"go test ./..."}`)},
		agent.ToolResult{Call: call("c1", "bash", `{"command":"go test ./..."}`), Output: "--- FAIL: TestAdd (0.00s)\n    calc_test.go:6: Add(2, 3) = -1, want 5\nFAIL\nexit status 1\nFAIL\texample.com/calc\t0.002s\nline 6\nline 7", IsError: true},
		agent.ToolCallStarted{Call: call("c2", "edit", `{"path":"calc.go","old_string":"a - b","new_string":"a + b"}`)},
		agent.PermissionRequest{Call: call("c2", "edit", `{"path":"calc.go","old_string":"a - b","new_string":"a + b"}`), Preview: editDiff},
	)
}

func finishConversation(m *Model) {
	m.key(tea.KeyPressMsg{Code: 'y', Text: "y"})
	feed(m,
		agent.ToolResult{Call: call("c2", "edit", `{}`), Output: "edited calc.go (1 replacement)", Changed: []string{"calc.go"}},
		agent.TextDelta{Text: answerMD},
		agent.TurnFinished{Turn: 1, Steps: 3, Usage: agent.Usage{PromptTokens: 900, CompletionTokens: 120}},
		runEnded{},
		tokensMsg{used: 1234, window: 8192},
	)
	m.Update(tokensMsg{used: 1234, window: 8192})
	m.speed = 14.2
}

func TestFrames(t *testing.T) {
	machine := models.Machine{OS: "linux", Arch: "amd64", RAMTotal: 16 << 30, RAMAvailable: 12 << 30, LogicalCores: 8, PhysicalCores: 4, SIMD: []string{"avx2", "fma"}}
	cases := []struct {
		name  string
		opts  func() Options
		setup func(t *testing.T, m *Model)
	}{
		{"welcome", func() Options { return Options{Machine: &machine} }, func(t *testing.T, m *Model) {
			m.Update(detect(&machine, nil)())
		}},
		{"empty", withAgent, func(t *testing.T, m *Model) {}},
		{"permission", withAgent, func(t *testing.T, m *Model) { conversation(m) }},
		{"answer", withAgent, func(t *testing.T, m *Model) { conversation(m); finishConversation(m) }},
		{"expanded", withAgent, func(t *testing.T, m *Model) {
			conversation(m)
			finishConversation(m)
			m.key(tea.KeyPressMsg{Code: 'o', Mod: tea.ModCtrl})
			m.key(tea.KeyPressMsg{Code: tea.KeyPgUp})
		}},
		{"command", withAgent, func(t *testing.T, m *Model) {
			m.tr.add(&userBlock{text: "run the tests"})
			m.running = true
			feed(m, agent.ToolCallStarted{Call: call("c1", "bash", `{"command":"go test ./calc/..."}`)},
				agent.PermissionRequest{Call: call("c1", "bash", `{"command":"go test ./calc/..."}`), Preview: "$ go test ./calc/...", Prefix: "go test"})
		}},
		{"streaming", withAgent, func(t *testing.T, m *Model) {
			m.tr.add(&userBlock{text: "explain calc.go"})
			m.send("explain", "explain")
			m.be.promptTotal.Store(4000)
			m.be.promptDone.Store(1500)
			m.in.ta.SetValue("and then @calc")
		}},
		{"help", withAgent, func(t *testing.T, m *Model) { m.command("/help") }},
		{"picker", withAgent, func(t *testing.T, m *Model) {
			m.Update(pickerMsg{&picker{title: "Choose a model", items: []pickItem{
				{label: "qwen2.5-coder:1.5b", detail: "installed, 1.1 GB, in use", value: "qwen2.5-coder:1.5b"},
				{label: "qwen2.5-coder:7b", detail: "download 4.7 GB · Qwen2.5 Coder 7B", value: "qwen2.5-coder:7b", remote: true},
			}, pick: func(pickItem) tea.Cmd { return nil }}})
			m.key(tea.KeyPressMsg{Code: tea.KeyDown})
		}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, c := range cases {
			name := c.name + "-" + itoa(size[0]) + "x" + itoa(size[1])
			t.Run(name, func(t *testing.T) {
				m := newFrameModel(t, size[0], size[1], c.opts())
				c.setup(t, m)
				frame := ansi.Strip(m.frameText())
				checkFrame(t, frame, size[0], size[1])
				golden(t, filepath.Join("testdata", "frames", name+".txt"), frame)
			})
		}
	}
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(n)) }

func fmtInt(n int) string {
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}

// checkFrame checks the frame is exactly the screen's size.
func checkFrame(t *testing.T, frame string, w, h int) {
	t.Helper()
	lines := strings.Split(frame, "\n")
	if len(lines) != h {
		t.Errorf("frame has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i+1, n, w, l)
		}
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	// Trailing spaces are not part of the picture.
	lines := strings.Split(got, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	got = strings.Join(lines, "\n") + "\n"
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("frame differs from %s (run with -update to accept):\n--- got\n%s--- want\n%s", path, got, want)
	}
}
