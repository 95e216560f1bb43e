package scenario

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/agent/local"
	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/engine"
	"github.com/atelier-dev/atelier/internal/sample"
	"github.com/atelier-dev/atelier/internal/testshared"
	"github.com/atelier-dev/atelier/internal/tools"
)

// refusals counts the samples a constraint refuses (each costs a mask).
type refusals struct {
	engine.Constraint
	n *int
}

func (r refusals) Allows(id int32) bool {
	ok := r.Constraint.Allows(id)
	if !ok {
		*r.n++
	}
	return ok
}

// counting is a model that counts the refused samples of its requests.
type counting struct {
	local.Model
	n *int
}

func (c counting) Generate(ctx context.Context, req engine.Request, fn func(engine.Chunk) error) (engine.Stats, error) {
	if req.Constraint != nil {
		req.Constraint = refusals{req.Constraint, c.n}
	}
	return c.Model.Generate(ctx, req, fn)
}

// BenchmarkToolCallGrammar is the cost of the tool-call grammar per
// generated token, through the agent's local backend and the engine, on a
// random model in Qwen2's shape with its 151,936-token vocabulary and the
// agent's real tools: answers of up to 64 tokens, without the grammar and
// with it, in free text (the common case: nothing to check but the
// triggers) and inside a call's string argument (most samples allowed,
// the rest masked). The model's own cost per token is that of a tiny
// model, so the grammar's share is larger here than with a real one.
func BenchmarkToolCallGrammar(b *testing.B) {
	e := longSynthEngine(b)
	qwen, err := os.ReadFile(testshared.Path(b, "testdata/templates/Qwen-Qwen2.5-7B-Instruct.jinja"))
	if err != nil {
		b.Fatal(err)
	}
	const call = "<tool_call>\n{\"name\": \"write\", \"arguments\": {\"file_path\": \""
	req := agent.Request{
		Messages: []chat.Message{
			{Role: chat.RoleSystem, Content: agent.SystemPrompt(agent.Environment{Dir: "/home/user/project"})},
			{Role: chat.RoleUser, Content: "Look around."},
		},
		Tools:     tools.Default().Specs(),
		MaxTokens: 64,
	}
	for _, bc := range []struct {
		name          string
		prefix        string
		unconstrained bool
	}{
		{"free/none", "", true},
		{"free/lazy", "", false},
		{"call/none", call, true},
		{"call/lazy", call, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var refused int
			c, err := local.New(counting{primed{e, string(qwen), bc.prefix}, &refused}, local.Options{
				Unconstrained: bc.unconstrained,
				Sampling:      &sample.Params{Temperature: 1, Seed: 1},
			})
			if err != nil {
				b.Fatal(err)
			}
			run := func() int {
				resp, err := c.Stream(context.Background(), req, func(agent.Delta) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
				return resp.Usage.CompletionTokens
			}
			run() // the prompt into the cache, the vocabulary indexed
			refused = 0
			tokens := 0
			start := time.Now()
			for b.Loop() {
				tokens += run()
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(tokens), "ns/token")
			b.ReportMetric(float64(refused)/float64(tokens), "refused/token")
		})
	}
}
