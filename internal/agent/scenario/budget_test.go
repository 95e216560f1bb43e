package scenario

import (
	"testing"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/agent/local"
	"github.com/atelier-dev/atelier/internal/agent/scripted"
	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/tools"
)

// promptBudget caps the tokens that the system prompt and the tool
// descriptions take, rendered by the Qwen2.5 chat template and counted by
// the Qwen2 tokenizer: a small local model loaded with 8K of context must
// keep most of it for the work.
const promptBudget = 1500

func TestPromptBudget(t *testing.T) {
	m := qwenModel(t, &scripted.Transcript{}, false)
	c, err := local.New(m, local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	count := func(system string, ts []chat.Tool) int {
		t.Helper()
		n, err := c.CountTokens([]chat.Message{{Role: chat.RoleSystem, Content: system}}, ts)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	sys := agent.SystemPrompt(agent.Environment{Dir: "/home/someone/projects/my-project", OS: "linux", Date: "2026-01-01"})
	specs := tools.Default().Specs()
	total := count(sys, specs)
	withoutTools := count(sys, nil)
	t.Logf("system prompt and tools: %d tokens (budget %d); system prompt alone %d", total, promptBudget, withoutTools)
	for _, s := range specs {
		t.Logf("  %-9s %4d", s.Name, count("x", []chat.Tool{s})-count("x", nil))
	}
	if total > promptBudget {
		t.Errorf("the system prompt and the tool descriptions take %d tokens, over the budget of %d", total, promptBudget)
	}
	// Each tool keeps an example of a call.
	for _, s := range specs {
		if !containsExample(s.Description) {
			t.Errorf("the %s tool's description has no example", s.Name)
		}
	}
}

func containsExample(d string) bool {
	for i := 0; i+len("Example: {") <= len(d); i++ {
		if d[i:i+len("Example: {")] == "Example: {" {
			return true
		}
	}
	return false
}
