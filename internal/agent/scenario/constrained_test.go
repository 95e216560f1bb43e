package scenario

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/agent/local"
	"github.com/atelier-dev/atelier/internal/engine"
	"github.com/atelier-dev/atelier/internal/grammar"
	"github.com/atelier-dev/atelier/internal/grammar/schematest"
	"github.com/atelier-dev/atelier/internal/sample"
	"github.com/atelier-dev/atelier/internal/testshared"
	"github.com/atelier-dev/atelier/internal/tools"
)

// longSynthEngine is synthEngine's model loaded with a context of 4096
// tokens, room for a few turns of calls and results after the tools'
// descriptions.
func longSynthEngine(t testing.TB) *engine.Engine {
	t.Helper()
	return synthEngineContext(t, 4096)
}

// primed is the engine with a fixed text written before what the model
// generates, as prefixed is, but the text also goes through the request's
// constraint, as if the model had sampled it: what the model writes next
// must continue it.
type primed struct {
	*engine.Engine
	tmpl, prefix string
}

func (p primed) ChatTemplate() string { return p.tmpl }

func (p primed) Generate(ctx context.Context, req engine.Request, fn func(engine.Chunk) error) (engine.Stats, error) {
	if req.Constraint != nil {
		for _, id := range p.Tokenizer().Encode(p.prefix, false, true) {
			if err := req.Constraint.Accept(id); err != nil {
				return engine.Stats{}, fmt.Errorf("the prefix: %w", err)
			}
		}
	}
	if err := fn(engine.Chunk{Token: -1, Text: p.prefix}); err != nil {
		return engine.Stats{}, err
	}
	return p.Engine.Generate(ctx, req, fn)
}

// recording is a local client that keeps every answer.
type recording struct {
	*local.Client
	answers []agent.Response
}

func (r *recording) Stream(ctx context.Context, req agent.Request, fn func(agent.Delta) error) (agent.Response, error) {
	resp, err := r.Client.Stream(ctx, req, fn)
	if err == nil {
		r.answers = append(r.answers, resp)
	}
	return resp, err
}

// callProblems lists what is wrong with the calls read from an answer:
// unknown tools, arguments that are not JSON or do not satisfy the tool's
// schema.
func callProblems(resp agent.Response, schemas map[string]*schematest.Validator) []string {
	var out []string
	for _, c := range resp.Message.ToolCalls {
		v, ok := schemas[c.Name]
		if !ok {
			out = append(out, fmt.Sprintf("unknown tool %q", c.Name))
			continue
		}
		args, err := schematest.Decode(c.Arguments)
		if err == nil {
			err = v.Validate(args)
		}
		if err != nil {
			out = append(out, fmt.Sprintf("%s %s: %v", c.Name, c.Arguments, err))
		}
	}
	return out
}

// TestConstrainedCalls is the agent's part of the quality bar of
// grammar-constrained decoding: a random-weight model writes nonsense, and
// under the tool-call grammar every call it makes is complete and
// well-formed (a tool on offer, arguments valid against its schema), while
// the same model unconstrained, started on a call, writes malformed ones.
//
// The model rarely ends a string, but a call is never cut by the answer's
// token cap: near the cap the engine samples only tokens that leave room
// to finish the call (engine.Closer). Unconstrained, the cap cuts some
// calls; those count as broken only if the form broke before the cap.
func TestConstrainedCalls(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a model")
	}
	e := longSynthEngine(t)
	qwen, err := os.ReadFile(testshared.Path(t, "testdata/templates/Qwen-Qwen2.5-7B-Instruct.jinja"))
	if err != nil {
		t.Fatal(err)
	}
	specs := tools.Default().Specs()
	schemas := map[string]*schematest.Validator{}
	gts := make([]grammar.Tool, len(specs))
	for i, s := range specs {
		v, err := schematest.New(s.Parameters)
		if err != nil {
			t.Fatalf("tool %s: %v", s.Name, err)
		}
		schemas[s.Name] = v
		gts[i] = grammar.Tool{Name: s.Name, Schema: s.Parameters}
	}
	src, _, err := grammar.ToolCallGBNF(grammar.ToolsHermes, gts, grammar.SchemaOptions{Lenient: true})
	if err != nil {
		t.Fatal(err)
	}
	g, err := grammar.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	// startsCall reports whether raw is the start of a well-formed call
	// (for the unconstrained runs, cut by the cap).
	startsCall := func(raw string) bool { return grammar.NewMatcher(g).Accept([]byte(raw)) == nil }

	// The system prompt names a fixed directory, so that the runs are the
	// same from one test to the next (and the engine reads it only once).
	dir := t.TempDir()
	const opener = "<tool_call>\n"
	tests := []struct {
		name         string
		model        local.Model
		opts         local.Options
		seeds, turns int
		constrained  bool
	}{
		{"required", primed{e, string(qwen), ""}, local.Options{RequireToolCall: true}, 3, 4, true},
		{"lazy after the opener", primed{e, string(qwen), opener}, local.Options{}, 1, 3, true},
		{"unconstrained after the opener", prefixed{e, string(qwen), opener}, local.Options{Unconstrained: true}, 2, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var answers, complete, cut int
			for seed := range uint64(tt.seeds) {
				opts := tt.opts
				opts.Name = "tiny-qwen2"
				opts.Sampling = &sample.Params{Temperature: 1, Seed: seed}
				lc, err := local.New(tt.model, opts)
				if err != nil {
					t.Fatal(err)
				}
				c := &recording{Client: lc}
				ts, err := agent.NewToolset(dir, tools.ModeAsk, tools.Rules{})
				if err != nil {
					t.Fatal(err)
				}
				a := agent.New(agent.Config{Client: c, Tools: ts, Gate: ts, MaxTurns: tt.turns, MaxTokens: 120,
					System: agent.SystemPrompt(agent.Environment{Dir: "/home/user/project"})}, nil, 0)
				_, err = a.Run(context.Background(), "Look around.")
				if err != nil && !errors.Is(err, agent.ErrMaxTurns) && !errors.Is(err, agent.ErrLoop) {
					t.Fatalf("seed %d: %v", seed, err)
				}
				checkAnswered(t, a.Messages())
				broken := 0
				for i, resp := range c.answers {
					answers++
					if tt.opts.RequireToolCall && (len(resp.Message.ToolCalls)+len(resp.Malformed) == 0 || strings.TrimSpace(resp.Message.Content) != "") {
						t.Errorf("seed %d answer %d: not just a call: text %q, %d calls", seed, i, resp.Message.Content, len(resp.Message.ToolCalls))
					}
					for _, m := range resp.Malformed {
						if tt.constrained {
							t.Errorf("seed %d answer %d: malformed call %q (truncated: %v): %s", seed, i, m.Raw, resp.Truncated, m.Err)
							continue
						}
						if resp.Truncated && startsCall(m.Raw) {
							cut++
							continue
						}
						broken++
					}
					problems := callProblems(resp, schemas)
					broken += len(problems)
					for _, p := range problems {
						if tt.constrained {
							t.Errorf("seed %d answer %d: %s", seed, i, p)
						}
					}
					complete += len(resp.Message.ToolCalls) - len(problems)
				}
				if !tt.constrained && broken == 0 {
					t.Errorf("seed %d: no malformed call without the grammar", seed)
				}
			}
			t.Logf("%d answers: %d well-formed calls, %d cut by the token cap", answers, complete, cut)
			if tt.constrained && complete == 0 {
				t.Error("no call to check")
			}
		})
	}
}
