package sample

import (
	"fmt"
	"math"
	"testing"
)

func TestArgmax(t *testing.T) {
	for _, tc := range []struct {
		logits []float32
		want   int32
	}{
		{[]float32{1}, 0},
		{[]float32{0, 3, 2}, 1},
		{[]float32{5, 5, 1}, 0}, // the first on ties
		{[]float32{float32(math.Inf(-1)), -7, -3}, 2},
	} {
		if got := Argmax(tc.logits); got != tc.want {
			t.Errorf("Argmax(%v) = %d, want %d", tc.logits, got, tc.want)
		}
	}
}

func TestGreedyAndFilters(t *testing.T) {
	logits := []float32{1, 4, 3, 2, 0}
	for _, tc := range []struct {
		name    string
		p       Params
		allowed func(int32) bool
		want    map[int32]bool // tokens that may come out
	}{
		{"greedy", Params{}, nil, map[int32]bool{1: true}},
		{"greedy allowed", Params{}, func(t int32) bool { return t != 1 }, map[int32]bool{2: true}},
		{"top-k 1", Params{Temperature: 1, TopK: 1}, nil, map[int32]bool{1: true}},
		{"top-k 2", Params{Temperature: 1, TopK: 2}, nil, map[int32]bool{1: true, 2: true}},
		// p = softmax: 4 → .64, 3 → .24, 2 → .09 …: top-p .8 keeps two.
		{"top-p", Params{Temperature: 1, TopP: 0.8}, nil, map[int32]bool{1: true, 2: true}},
		// min-p .3 keeps tokens with p ≥ .3·.64: ids 1 and 2.
		{"min-p", Params{Temperature: 1, MinP: 0.3}, nil, map[int32]bool{1: true, 2: true}},
		{"penalty", Params{RepeatPenalty: 10, RepeatLastN: 4}, nil, map[int32]bool{2: true}},
		{"nothing allowed", Params{Temperature: 1}, func(int32) bool { return false }, map[int32]bool{-1: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := range uint64(50) {
				p := tc.p
				p.Seed = seed
				got := New(p).Sample(logits, []int32{7, 1}, tc.allowed)
				if !tc.want[got] {
					t.Fatalf("seed %d: token %d, want one of %v", seed, got, tc.want)
				}
			}
		})
	}
}

// TestDistribution checks that temperature sampling follows the softmax:
// over many draws each token's frequency is within a few standard errors
// of its probability.
func TestDistribution(t *testing.T) {
	logits := []float32{0, 1, 2, 0.5}
	probs := make([]float32, len(logits))
	Probabilities(probs, logits)
	s := New(Params{Temperature: 1, Seed: 3})
	const n = 20000
	counts := make([]int, len(logits))
	for range n {
		counts[s.Sample(logits, nil, nil)]++
	}
	for i, c := range counts {
		p := float64(probs[i])
		se := math.Sqrt(p * (1 - p) / n)
		if f := float64(c) / n; math.Abs(f-p) > 5*se {
			t.Errorf("token %d drawn %.4f of the time, probability %.4f", i, f, p)
		}
	}
	// A low temperature sharpens the distribution.
	cold := New(Params{Temperature: 0.1, Seed: 3})
	best := 0
	for range 1000 {
		if cold.Sample(logits, nil, nil) == 2 {
			best++
		}
	}
	if best < 990 {
		t.Errorf("at temperature 0.1 the best token came %d times in 1000", best)
	}
}

func TestSeedReproducible(t *testing.T) {
	logits := make([]float32, 100)
	for i := range logits {
		logits[i] = float32(i%7) * 0.3
	}
	draw := func(seed uint64) []int32 {
		s := New(Params{Temperature: 1, Seed: seed})
		out := make([]int32, 20)
		for i := range out {
			out[i] = s.Sample(logits, nil, nil)
		}
		return out
	}
	a, b, c := draw(1), draw(1), draw(2)
	same := func(x, y []int32) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Errorf("seed 1 twice: %v and %v", a, b)
	}
	if same(a, c) {
		t.Errorf("seeds 1 and 2 drew the same 20 tokens")
	}
}

func TestSampleAllocs(t *testing.T) {
	logits := make([]float32, 50000)
	for i := range logits {
		logits[i] = float32(i%13) * 0.1
	}
	s := New(Params{Temperature: 0.8, TopK: 40, TopP: 0.95, MinP: 0.05, RepeatPenalty: 1.1, RepeatLastN: 64, Seed: 1})
	history := []int32{1, 2, 3, 4, 5}
	s.Sample(logits, history, nil)
	if n := testing.AllocsPerRun(20, func() { s.Sample(logits, history, nil) }); n != 0 {
		t.Errorf("%.1f allocations per sample", n)
	}
}

func TestProbabilities(t *testing.T) {
	dst := make([]float32, 3)
	Probabilities(dst, []float32{0, float32(math.Log(2)), float32(math.Log(5))})
	want := []float64{0.125, 0.25, 0.625}
	for i := range want {
		if math.Abs(float64(dst[i])-want[i]) > 1e-6 {
			t.Errorf("p[%d] = %v, want %v", i, dst[i], want[i])
		}
	}
}

// TestTopKMatchesSort checks the heap selection against a full sort.
func TestTopKMatchesSort(t *testing.T) {
	rng := New(Params{Seed: 9}).rng
	for _, k := range []int{1, 2, 5, 40, 99} {
		c := make([]candidate, 100)
		for i := range c {
			c[i] = candidate{id: int32(i), logit: float32(rng.IntN(20))} // many ties
		}
		full := append([]candidate(nil), c...)
		sortByLogit(full)
		got := topK(c, k)
		for i := range k {
			if got[i].id != full[i].id {
				t.Fatalf("k=%d: position %d is token %d, a full sort gives %d", k, i, got[i].id, full[i].id)
			}
		}
	}
}

// BenchmarkSample measures one sampling step over Qwen's vocabulary with
// the default settings and with top-p alone (no top-k), on logits shaped
// like a language model's: a broad bulk and a few likely tokens.
func BenchmarkSample(b *testing.B) {
	logits := make([]float32, 151936)
	s := New(Params{Seed: 1})
	for i := range logits {
		logits[i] = float32(s.rng.NormFloat64() * 2.5)
	}
	for i := range 20 {
		logits[s.rng.IntN(len(logits))] = 14 - float32(i)/2
	}
	for _, p := range []Params{Defaults(), {Temperature: 0.7, TopP: 0.9}} {
		b.Run(fmt.Sprintf("topk=%d,topp=%v", p.TopK, p.TopP), func(b *testing.B) {
			s := New(p)
			for b.Loop() {
				s.Sample(logits, nil, nil)
			}
		})
	}
}
