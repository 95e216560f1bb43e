package engine

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/atelier-dev/atelier/internal/grammar"
	"github.com/atelier-dev/atelier/internal/sample"
)

// TestConstraintClosing samples a random model under a schema with free
// strings, which a random model rarely closes, with a small token cap:
// every output must be a complete, valid value, finished within the cap,
// or, when the cap is below the shortest valid value, just past it.
func TestConstraintClosing(t *testing.T) {
	e, err := Load(smallModel(t, nil), Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	schema := `{"type":"object","properties":{"name":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}},"n":{"type":"integer"}},"required":["name","tags","n"]}`
	g, err := grammar.ParseSchema([]byte(schema), grammar.SchemaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	shortest := g.MinLength() // {"name":"","tags":[],"n":0}
	toks := grammar.NewTokens(e.Tokenizer())
	prompt := e.Tokenizer().Encode("JSON:", true, false)
	tests := []struct {
		name      string
		maxTokens int
		seeds     int
	}{
		{"cap 40", 40, 50},
		{"cap 12", 12, 10},
		{"cap 3, below the shortest value", 3, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			closed := 0
			for seed := range uint64(tt.seeds) {
				c := grammar.NewConstraint(g, toks)
				var out []byte
				st, err := e.Generate(context.Background(), Request{Prompt: prompt, MaxTokens: tt.maxTokens,
					Sampling: sample.Params{Temperature: 1, Seed: seed}, Constraint: c}, func(ch Chunk) error {
					out = append(out, ch.Text...)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				m := grammar.NewMatcher(g)
				if err := m.Accept(out); err != nil || !m.CanEnd() || !json.Valid(out) {
					t.Errorf("seed %d: %q (%d tokens, %s) is not a complete value (%v)", seed, out, st.Generated, st.StopReason, err)
				}
				limit := tt.maxTokens
				if tt.maxTokens < shortest {
					limit = shortest
				}
				if st.Generated > limit {
					t.Errorf("seed %d: %d tokens, more than %d: %q", seed, st.Generated, limit, out)
				}
				if st.StopReason == StopMaxTokens {
					closed++
				}
			}
			t.Logf("%d of %d outputs stopped at the cap, complete", closed, tt.seeds)
		})
	}
	// The same without closing: the cap cuts most outputs short.
	cut := 0
	for seed := range uint64(10) {
		var out []byte
		_, err := e.Generate(context.Background(), Request{Prompt: prompt, MaxTokens: 40,
			Sampling: sample.Params{Temperature: 1, Seed: seed}, Constraint: noCloser{grammar.NewConstraint(g, toks)}}, func(ch Chunk) error {
			out = append(out, ch.Text...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if m := grammar.NewMatcher(g); m.Accept(out) != nil || !m.CanEnd() {
			cut++
		}
	}
	t.Logf("without closing, %d of 10 outputs cut by the cap", cut)
	if cut == 0 {
		t.Error("no output cut without closing: the test does not exercise closing")
	}
}

// noCloser hides a constraint's closing methods.
type noCloser struct{ c *grammar.Constraint }

func (n noCloser) Allows(t int32) bool  { return n.c.Allows(t) }
func (n noCloser) Mask(l []float32)     { n.c.Mask(l) }
func (n noCloser) Accept(t int32) error { return n.c.Accept(t) }
func (n noCloser) Done() bool           { return n.c.Done() }

// TestClosingContext fills the context: the output is finished before it.
func TestClosingContext(t *testing.T) {
	e, err := Load(smallModel(t, nil), Options{Threads: 1, ContextLength: 48})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	g, err := grammar.Parse(`root ::= "\"" [a-z ]* "\""`)
	if err != nil {
		t.Fatal(err)
	}
	toks := grammar.NewTokens(e.Tokenizer())
	prompt := e.Tokenizer().Encode("Say:", true, false)
	for seed := range uint64(10) {
		var out []byte
		st, err := e.Generate(context.Background(), Request{Prompt: prompt, Sampling: sample.Params{Temperature: 1, Seed: seed},
			Constraint: grammar.NewConstraint(g, toks)}, func(ch Chunk) error {
			out = append(out, ch.Text...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		m := grammar.NewMatcher(g)
		if err := m.Accept(out); err != nil || !m.CanEnd() {
			t.Errorf("seed %d: %q (%s) is not complete (%v)", seed, out, st.StopReason, err)
		}
	}
}
