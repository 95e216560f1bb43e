package model_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/model"
	_ "github.com/atelier-dev/atelier/internal/model/llama"
	"github.com/atelier-dev/atelier/internal/sample"
	"github.com/atelier-dev/atelier/internal/testshared"
)

// golden is a greedy run of llama.cpp: prompt tokens, generated tokens and
// the five most likely tokens of each step with their probabilities.
type golden struct {
	Input  []int32 `json:"input"`
	Tokens []int32 `json:"tokens"`
	Steps  []struct {
		Token int32        `json:"token"`
		Top   [][2]float64 `json:"top"`
	} `json:"steps"`
}

func readGolden(t *testing.T, path string) golden {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return g
}

// TestStoriesGreedy runs the real TinyStories model greedily and compares
// every token and the top-5 probabilities of every step with llama.cpp.
//
// The probabilities agree within 1e-3 over the 60 steps of the first
// golden. Over the 200 steps of the second, one step (81) differs by
// 1.02e-3: attention accumulates in F16 as llama.cpp's CPU flash attention
// does, and its rounding amplifies last-bit differences of float32 sums;
// llama.cpp itself, run on this project's 2-core AVX2 machine, differs from
// the same golden (made on another machine) by up to 7.3e-4, and from
// atelier by up to 9e-4. The tolerance of that run is therefore 1.5e-3.
func TestStoriesGreedy(t *testing.T) {
	path := testshared.Path(t, "testdata/models/stories260K.gguf")
	for _, tc := range []struct {
		name string
		tol  float64
	}{
		{"once-upon-a-time", 1e-3},
		{"empty-prompt", 1.5e-3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := readGolden(t, testshared.Path(t, "testdata/models/stories260K."+tc.name+".greedy.json"))
			for _, threads := range []int{1, 2, 3} {
				compareGreedy(t, path, g, threads, tc.tol)
			}
		})
	}
}

func compareGreedy(t *testing.T, path string, g golden, threads int, tol float64) {
	t.Helper()
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := model.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	d.SetThreads(threads)
	defer d.Close()
	seq := d.NewSequence(len(g.Input) + len(g.Tokens) + 1)
	logits := make([]float32, d.Vocab)
	probs := make([]float32, d.Vocab)
	if err := d.Forward(seq, g.Input, logits); err != nil {
		t.Fatal(err)
	}
	for i, step := range g.Steps {
		sample.Probabilities(probs, logits)
		got := sample.Argmax(logits)
		if got != step.Token {
			t.Fatalf("threads %d, step %d: token %d, llama.cpp %d (top %v)", threads, i, got, step.Token, step.Top)
		}
		for _, top := range step.Top {
			id, want := int(top[0]), top[1]
			if diff := math.Abs(float64(probs[id]) - want); diff > tol {
				t.Errorf("threads %d, step %d: p(%d) = %.6f, llama.cpp %.6f", threads, i, id, probs[id], want)
			}
		}
		if err := d.Forward(seq, []int32{got}, logits); err != nil {
			t.Fatal(err)
		}
	}
	if len(g.Steps) != len(g.Tokens) {
		t.Fatalf("golden has %d steps for %d tokens", len(g.Steps), len(g.Tokens))
	}
}
