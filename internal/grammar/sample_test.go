package grammar

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/atelier-dev/atelier/internal/grammar/schematest"
)

// randomModel stands in for a model with random weights: its logits are
// independent and identically distributed, so at temperature 1 the sampled
// token is uniform over the tokens the constraint allows. It samples the
// way the engine does: the whole vocabulary first, then, when the grammar
// refuses that token, from the masked logits.
type randomModel struct {
	rng    *rand.Rand
	logits []float32
	masks  int
}

func (r *randomModel) next(c *Constraint) int32 {
	// Drawing again after a refusal keeps the draw uniform over the
	// allowed tokens; after a few refusals, mask.
	for range 32 {
		id := int32(r.rng.IntN(len(r.logits)))
		if c.Allows(id) {
			return id
		}
	}
	r.masks++
	clear(r.logits)
	c.Mask(r.logits)
	n := 0
	for _, l := range r.logits {
		if l == 0 {
			n++
		}
	}
	if n == 0 {
		return -1
	}
	k := r.rng.IntN(n)
	for i, l := range r.logits {
		if l == 0 {
			if k == 0 {
				return int32(i)
			}
			k--
		}
	}
	panic("unreachable")
}

// generate samples one constrained output; ok is false when the grammar
// did not finish within limit tokens.
func generate(t *testing.T, g *Grammar, toks *Tokens, seed uint64, limit int) (out []byte, steps int, ok bool) {
	t.Helper()
	c := NewConstraint(g, toks)
	m := &randomModel{rng: rand.New(rand.NewPCG(seed, 0x5eed)), logits: make([]float32, qwenEmbedding)}
	for steps = 0; steps < limit; steps++ {
		if c.Done() {
			return out, steps, true
		}
		id := m.next(c)
		if id < 0 {
			t.Fatalf("seed %d: no token allowed after %q", seed, out)
		}
		if err := c.Accept(id); err != nil {
			t.Fatalf("seed %d: allowed token refused: %v", seed, err)
		}
		if toks.eog[id] {
			return out, steps, true
		}
		out = append(out, toks.bytes[id]...)
	}
	return out, steps, c.Done()
}

const seeds = 50

func TestRandomModelSchemas(t *testing.T) {
	_, toks := qwenVocab(t)
	files, _ := filepath.Glob("testdata/schemas/*.json")
	if len(files) < 20 {
		t.Fatalf("%d schemas, want 20 or more", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			schema, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			g, err := ParseSchema(schema, SchemaOptions{})
			if err != nil {
				t.Fatal(err)
			}
			v, err := schematest.New(schema)
			if err != nil {
				t.Fatal(err)
			}
			total := 0
			for seed := range uint64(seeds) {
				out, steps, ok := generate(t, g, toks, seed, 100000)
				total += steps
				if !ok {
					t.Fatalf("seed %d: unfinished after %d tokens: %q", seed, steps, out)
				}
				if !utf8.Valid(out) || !json.Valid(out) {
					t.Fatalf("seed %d: not valid JSON: %q", seed, out)
				}
				inst, err := schematest.Decode(out)
				if err != nil {
					t.Fatalf("seed %d: %v: %q", seed, err, out)
				}
				if err := v.Validate(inst); err != nil {
					t.Fatalf("seed %d: %v\noutput: %s", seed, err, out)
				}
				if seed == 0 && testing.Verbose() {
					t.Logf("seed 0: %s", out)
				}
			}
			t.Logf("%d seeds, %.1f tokens each on average", seeds, float64(total)/seeds)
		})
	}
}
