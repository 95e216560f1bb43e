// Package sample picks the next token from a model's logits: greedy, or
// random with temperature after repetition penalty, top-k, top-p and min-p
// filtering, in llama.cpp's order. A sampler with a given seed is
// reproducible, and sampling allocates nothing after the first call.
package sample

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Params are the sampling settings. The zero value is greedy decoding.
type Params struct {
	// Temperature divides the logits; 0 (or less) means greedy.
	Temperature float32
	// TopK keeps the K most likely tokens; 0 keeps all.
	TopK int
	// TopP keeps the smallest set of most likely tokens whose probability
	// reaches P; 0 or 1 keeps all.
	TopP float32
	// MinP drops tokens less likely than MinP times the most likely one;
	// 0 keeps all.
	MinP float32
	// RepeatPenalty divides positive (multiplies negative) logits of tokens
	// seen in the last RepeatLastN tokens; 0 or 1 disables it.
	RepeatPenalty float32
	RepeatLastN   int
	// Seed seeds the random source.
	Seed uint64
}

// Defaults are the settings of `atelier run` when none are given, close to
// llama.cpp's: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05.
func Defaults() Params {
	return Params{Temperature: 0.8, TopK: 40, TopP: 0.95, MinP: 0.05, RepeatPenalty: 1, RepeatLastN: 64}
}

// Greedy reports whether p always picks the most likely token.
func (p Params) Greedy() bool { return p.Temperature <= 0 }

type candidate struct {
	id    int32
	logit float32
	p     float32
}

// Sampler samples tokens with fixed Params. It keeps its buffers between
// calls; it is not safe for concurrent use.
type Sampler struct {
	params Params
	rng    *rand.Rand
	cands  []candidate
	seen   map[int32]struct{}
}

// New returns a sampler for p.
func New(p Params) *Sampler {
	return &Sampler{
		params: p,
		rng:    rand.New(rand.NewPCG(p.Seed, p.Seed^0x9e3779b97f4a7c15)),
		seen:   map[int32]struct{}{},
	}
}

// Argmax returns the index of the largest logit (the first on ties).
func Argmax(logits []float32) int32 {
	best := 0
	for i, l := range logits {
		if l > logits[best] {
			best = i
		}
	}
	return int32(best)
}

// Sample picks a token from logits. history holds the tokens so far (the
// prompt and what was generated), for the repetition penalty. allowed, when
// not nil, restricts the choice to the tokens it accepts (constrained
// decoding); it returns -1 when no token is allowed.
func (s *Sampler) Sample(logits []float32, history []int32, allowed func(int32) bool) int32 {
	p := s.params
	if p.Greedy() && allowed == nil && !(p.RepeatPenalty > 0 && p.RepeatPenalty != 1) {
		return Argmax(logits)
	}
	c := s.cands[:0]
	for i, l := range logits {
		if allowed != nil && !allowed(int32(i)) {
			continue
		}
		if math.IsInf(float64(l), -1) {
			continue
		}
		c = append(c, candidate{id: int32(i), logit: l})
	}
	s.cands = c[:0]
	if len(c) == 0 {
		return -1
	}
	if p.RepeatPenalty > 0 && p.RepeatPenalty != 1 && p.RepeatLastN != 0 {
		s.penalize(c, history)
	}
	if p.Greedy() {
		best := 0
		for i := range c {
			if c[i].logit > c[best].logit {
				best = i
			}
		}
		return c[best].id
	}
	if p.TopK > 0 && p.TopK < len(c) {
		c = topK(c, p.TopK)
	}
	if p.TopP > 0 && p.TopP < 1 {
		c = nucleus(c, p.TopP)
	}
	if p.MinP > 0 {
		// p(i) ≥ MinP·p(best) ⟺ logit(i) ≥ logit(best) + ln MinP.
		c = above(c, maxLogit(c)+float32(math.Log(float64(p.MinP))))
	}
	softmax(c, p.Temperature)
	r := s.rng.Float32()
	var cum float32
	for i := range c {
		cum += c[i].p
		if r < cum {
			return c[i].id
		}
	}
	return c[len(c)-1].id
}

// nucleus keeps the smallest set of most likely candidates whose
// probability reaches topP, most likely first. Only the candidates within a
// few nats of the best are sorted: the margin grows until they hold topP of
// the probability, which for a real model's logits is a handful of tokens
// out of the whole vocabulary.
func nucleus(c []candidate, topP float32) []candidate {
	m := maxLogit(c)
	softmax(c, 1)
	for _, d := range []float32{2, 4, 8, 16, 32} {
		var mass float32
		for _, x := range c {
			if x.logit >= m-d {
				mass += x.p
			}
		}
		if mass >= topP || d == 32 {
			c = above(c, m-d)
			break
		}
	}
	sortByLogit(c)
	var cum float32
	for i := range c {
		cum += c[i].p
		if cum >= topP {
			return c[:i+1]
		}
	}
	return c
}

// maxLogit returns the largest logit of non-empty c.
func maxLogit(c []candidate) float32 {
	m := c[0].logit
	for _, x := range c[1:] {
		m = max(m, x.logit)
	}
	return m
}

// above keeps, in order, the candidates whose logit is at least min.
func above(c []candidate, min float32) []candidate {
	n := 0
	for _, x := range c {
		if x.logit >= min {
			c[n] = x
			n++
		}
	}
	return c[:n]
}

// less orders candidates most likely first, ties by id, so that results do
// not depend on the order of the vocabulary scan.
func less(a, b candidate) bool {
	return a.logit > b.logit || (a.logit == b.logit && a.id < b.id)
}

func sortByLogit(c []candidate) {
	slices.SortFunc(c, func(a, b candidate) int {
		switch {
		case less(a, b):
			return -1
		case less(b, a):
			return 1
		}
		return 0
	})
}

// topK moves the k most likely candidates to the front of c, most likely
// first, and returns them: a min-heap of k over one pass, O(n log k).
func topK(c []candidate, k int) []candidate {
	h := c[:k]
	// Build a heap whose root is the least likely of the k kept.
	for i := k/2 - 1; i >= 0; i-- {
		siftDown(h, i)
	}
	for _, x := range c[k:] {
		if less(x, h[0]) {
			h[0] = x
			siftDown(h, 0)
		}
	}
	sortByLogit(h)
	return h
}

func siftDown(h []candidate, i int) {
	for {
		l, r, least := 2*i+1, 2*i+2, i
		if l < len(h) && less(h[least], h[l]) {
			least = l
		}
		if r < len(h) && less(h[least], h[r]) {
			least = r
		}
		if least == i {
			return
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
}

func (s *Sampler) penalize(c []candidate, history []int32) {
	n := s.params.RepeatLastN
	if n < 0 || n > len(history) {
		n = len(history)
	}
	clear(s.seen)
	for _, t := range history[len(history)-n:] {
		s.seen[t] = struct{}{}
	}
	if len(s.seen) == 0 {
		return
	}
	for i := range c {
		if _, ok := s.seen[c[i].id]; !ok {
			continue
		}
		if c[i].logit > 0 {
			c[i].logit /= s.params.RepeatPenalty
		} else {
			c[i].logit *= s.params.RepeatPenalty
		}
	}
}

// softmax sets c[i].p from the logits divided by temp; c is non-empty.
func softmax(c []candidate, temp float32) {
	max := c[0].logit
	for _, x := range c {
		if x.logit > max {
			max = x.logit
		}
	}
	var sum float64
	for i := range c {
		e := math.Exp(float64((c[i].logit - max) / temp))
		c[i].p = float32(e)
		sum += e
	}
	for i := range c {
		c[i].p = float32(float64(c[i].p) / sum)
	}
}

// Probabilities writes the softmax of logits into dst (same length), in
// float64 for accuracy.
func Probabilities(dst, logits []float32) {
	max := logits[0]
	for _, x := range logits {
		if x > max {
			max = x
		}
	}
	var sum float64
	for i, x := range logits {
		e := math.Exp(float64(x - max))
		dst[i] = float32(e)
		sum += e
	}
	for i := range dst {
		dst[i] = float32(float64(dst[i]) / sum)
	}
}
