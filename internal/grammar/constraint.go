package grammar

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// ErrRejected is wrapped by the error for a token the grammar does not allow.
var ErrRejected = errors.New("token not allowed by the grammar")

// Constraint restricts a generation to the sentences of a grammar, one
// token at a time. It satisfies the engine's constraint hook: the engine
// checks the sampled token with Allows, asks for a Mask only when it is
// refused, and advances with Accept. A Constraint serves one generation
// and is not safe for concurrent use.
type Constraint struct {
	m      *Matcher
	t      *Tokens
	ended  bool // an end-of-generation token was accepted
	masks  maskCache
	dfa    dfa
	buf    []item
	levels []int32
}

// NewConstraint returns a constraint at the start of g over vocabulary t.
func NewConstraint(g *Grammar, t *Tokens) *Constraint {
	return &Constraint{m: NewMatcher(g), t: t}
}

// Allows reports whether token id may come next.
func (c *Constraint) Allows(id int32) bool {
	if c.ended || id < 0 || int(id) >= c.t.n {
		return false
	}
	if c.t.eog[id] {
		return c.m.CanEnd()
	}
	b := c.t.bytes[id]
	return len(b) > 0 && c.m.Allows(b)
}

// Accept advances over token id. A token the grammar does not allow is an
// error wrapping ErrRejected, and leaves the constraint unchanged.
func (c *Constraint) Accept(id int32) error {
	if c.ended || id < 0 || int(id) >= c.t.n {
		return fmt.Errorf("grammar: token %d: %w", id, ErrRejected)
	}
	if c.t.eog[id] {
		if !c.m.CanEnd() {
			return fmt.Errorf("grammar: end of generation (token %d) before the grammar is complete: %w", id, ErrRejected)
		}
		c.ended = true
		return nil
	}
	b := c.t.bytes[id]
	if len(b) == 0 {
		return fmt.Errorf("grammar: token %d has no text: %w", id, ErrRejected)
	}
	if err := c.m.Accept(b); err != nil {
		if errors.Is(err, ErrTooComplex) {
			return err
		}
		return fmt.Errorf("grammar: token %d (%q): %w", id, b, ErrRejected)
	}
	return nil
}

// Done reports that generation must stop: the grammar is complete and
// nothing can extend it (or an end-of-generation token was accepted).
func (c *Constraint) Done() bool { return c.ended || c.m.Ended() }

// CanEnd reports whether the text so far is complete, so that an
// end-of-generation token is allowed.
func (c *Constraint) CanEnd() bool { return !c.ended && c.m.CanEnd() }

// Mask sets the logits of the tokens that may not come next to -Inf.
// Logits past the vocabulary (padding) are always masked.
func (c *Constraint) Mask(logits []float32) {
	if c.ended {
		fill(logits, 0)
		return
	}
	bits := c.allowed(c.m.cur)
	negInf := float32(math.Inf(-1))
	n := min(len(logits), c.t.n)
	for w := 0; w*64 < n; w++ {
		lo, hi := w*64, min(w*64+64, n)
		switch word := bits[w]; word {
		case ^uint64(0):
		case 0:
			for i := lo; i < hi; i++ {
				logits[i] = negInf
			}
		default:
			for i := lo; i < hi; i++ {
				if word&(1<<(i-lo)) == 0 {
					logits[i] = negInf
				}
			}
		}
	}
	fill(logits, n)
}

func fill(logits []float32, from int) {
	negInf := float32(math.Inf(-1))
	for i := from; i < len(logits); i++ {
		logits[i] = negInf
	}
}

// allowed returns the set of tokens allowed after state, as a bitset.
func (c *Constraint) allowed(state []item) []uint64 {
	key := stateKey(state)
	if bits := c.masks.get(key); bits != nil {
		return bits
	}
	bits := c.masks.put(key, (c.t.n+63)/64)
	c.walk(state, bits)
	return bits
}

// walk marks in bits every token whose bytes can follow state, by walking
// the trie of token bytes depth first and pruning dead branches.
func (c *Constraint) walk(state []item, bits []uint64) {
	t, s := c.t, c.m.s
	if slices.ContainsFunc(state, func(it item) bool { return it.node == 0 }) {
		for id, e := range t.eog {
			if e {
				bits[id>>6] |= 1 << (id & 63)
			}
		}
	}
	c.dfa.trim()
	if cap(c.levels) < t.maxDepth+1 {
		c.levels = make([]int32, t.maxDepth+1)
	}
	levels := c.levels[:t.maxDepth+1]
	levels[0] = c.dfa.id(state)
	scratch := c.buf
	for i := int32(1); int(i) < len(t.edge); {
		d := int(t.depth[i])
		next := c.dfa.next[levels[d-1]][t.edge[i]] - 1
		if next == -1 { // not computed yet
			next, scratch = c.dfa.step(s, levels[d-1], t.edge[i], scratch)
		}
		if next < 0 {
			i = t.end[i]
			continue
		}
		levels[d] = next
		for _, id := range t.toks[t.first[i]:t.first[i+1]] {
			bits[id>>6] |= 1 << (id & 63)
		}
		i++
	}
	c.buf = scratch[:0]
}

// stateKey identifies a state regardless of the order of its items.
func stateKey(state []item) string {
	s := slices.Clone(state)
	slices.SortFunc(s, func(a, b item) int {
		if a.node != b.node {
			return int(a.node) - int(b.node)
		}
		return int(a.partial) - int(b.partial)
	})
	b := make([]byte, 0, 8*len(s))
	for _, it := range s {
		b = binary.LittleEndian.AppendUint32(b, uint32(it.node))
		b = binary.LittleEndian.AppendUint32(b, it.partial)
	}
	return string(b)
}

// maskCache keeps the allowed sets of the states seen most recently:
// generation often returns to the same state (inside a string, between
// items), and a mask is costly to recompute.
type maskCache struct {
	keys []string // least recently used first
	sets [][]uint64
}

const maskCacheSize = 32

func (mc *maskCache) get(key string) []uint64 {
	for i, k := range mc.keys {
		if k == key {
			bits := mc.sets[i]
			mc.moveToBack(i, key, bits)
			return bits
		}
	}
	return nil
}

func (mc *maskCache) moveToBack(i int, key string, bits []uint64) {
	copy(mc.keys[i:], mc.keys[i+1:])
	copy(mc.sets[i:], mc.sets[i+1:])
	mc.keys[len(mc.keys)-1], mc.sets[len(mc.sets)-1] = key, bits
}

func (mc *maskCache) put(key string, words int) []uint64 {
	if len(mc.keys) < maskCacheSize {
		bits := make([]uint64, words)
		mc.keys = append(mc.keys, key)
		mc.sets = append(mc.sets, bits)
		return bits
	}
	bits := mc.sets[0] // reuse the least recently used
	clear(bits)
	mc.moveToBack(0, key, bits)
	return bits
}
