package grammar

import (
	"errors"
	"fmt"
)

// ErrTooComplex is returned when a grammar needs more parser stacks than
// the matcher allows (a very ambiguous grammar).
var ErrTooComplex = errors.New("grammar: too ambiguous: too many parse stacks")

// Limits on the matcher's working set.
const (
	maxNodes = 1 << 20 // interned stack nodes
	maxItems = 1 << 12 // live stacks in one state
)

// snode is one frame of a parse stack: the position of the next element
// to match and the frame below it. Frames are interned, so a stack is
// identified by the index of its top frame; frame 0 is the empty stack,
// meaning the input so far is a complete sentence.
type snode struct{ pos, parent int32 }

// item is one live parse stack plus the UTF-8 sequence in progress at its top.
type item struct {
	node    int32
	partial uint32
}

// stacks holds the frames and memoized expansions for one grammar. It is
// a cache shared by any number of states of the same grammar.
type stacks struct {
	g     *Grammar
	nodes []snode
	index map[snode]int32
	adv   [][]int32 // per frame at a class: the tops after matching it
	done  []bool    // adv computed
	err   error
	seen  map[int32]struct{}
	// mark[n] == epoch when frame n was expanded in the current closure:
	// its tops are in already (they depend on n alone), and grammars with
	// many paths to one frame would otherwise take exponential time.
	mark  []uint32
	epoch uint32
	// For closing (closing.go): the grammar's shortest derivations, made
	// on first use, and each frame's distance to the end (-1: not known).
	ml   *minLengths
	dist []int32
}

func newStacks(g *Grammar) *stacks {
	s := &stacks{g: g, index: map[snode]int32{}}
	s.nodes = append(s.nodes, snode{pos: -1, parent: -1})
	return s
}

func (s *stacks) intern(pos, parent int32) int32 {
	k := snode{pos, parent}
	if id, ok := s.index[k]; ok {
		return id
	}
	if len(s.nodes) >= maxNodes {
		s.err = ErrTooComplex
		return -1
	}
	id := int32(len(s.nodes))
	s.nodes = append(s.nodes, k)
	s.index[k] = id
	return id
}

// closure adds to out the tops reachable from frame n without consuming
// input: frames at a class element, or the empty stack.
func (s *stacks) closure(n int32, out []int32) []int32 {
	if n < 0 || len(out) >= maxItems {
		if n >= 0 {
			s.err = ErrTooComplex
		}
		return out
	}
	if n == 0 {
		return s.addTop(out, 0)
	}
	for len(s.mark) < len(s.nodes) {
		s.mark = append(s.mark, 0)
	}
	if s.mark[n] == s.epoch {
		return out
	}
	s.mark[n] = s.epoch
	nd := s.nodes[n]
	e := s.g.elems[nd.pos]
	switch e.kind {
	case elemClass:
		return s.addTop(out, n)
	case elemEnd:
		return s.closure(nd.parent, out)
	}
	cont := nd.parent
	if s.g.elems[nd.pos+1].kind != elemEnd {
		cont = s.intern(nd.pos+1, nd.parent)
	}
	for _, a := range s.g.rules[e.arg].alts {
		if s.g.elems[a].kind == elemEnd {
			out = s.closure(cont, out)
		} else {
			out = s.closure(s.intern(a, cont), out)
		}
	}
	return out
}

func (s *stacks) addTop(out []int32, n int32) []int32 {
	if len(out) < 32 {
		for _, o := range out {
			if o == n {
				return out
			}
		}
		return append(out, n)
	}
	if len(out) == 32 || s.seen == nil {
		s.seen = map[int32]struct{}{}
		for _, o := range out {
			s.seen[o] = struct{}{}
		}
	}
	if _, ok := s.seen[n]; ok {
		return out
	}
	s.seen[n] = struct{}{}
	return append(out, n)
}

// start returns the tops of a fresh parse of rule r.
func (s *stacks) start(r int32) []int32 {
	s.epoch++
	var out []int32
	for _, a := range s.g.rules[r].alts {
		if s.g.elems[a].kind == elemEnd {
			out = s.addTop(out, 0)
		} else {
			out = s.closure(s.intern(a, 0), out)
		}
	}
	return out
}

// advance returns the tops after frame n (at a class) has matched.
func (s *stacks) advance(n int32) []int32 {
	if int(n) < len(s.done) && s.done[n] {
		return s.adv[n]
	}
	for len(s.done) < len(s.nodes) {
		s.done = append(s.done, false)
		s.adv = append(s.adv, nil)
	}
	nd := s.nodes[n]
	var out []int32
	s.epoch++
	if s.g.elems[nd.pos+1].kind == elemEnd {
		out = s.closure(nd.parent, nil)
	} else {
		out = s.closure(s.intern(nd.pos+1, nd.parent), nil)
	}
	s.seen = nil
	s.adv[n], s.done[n] = out, true
	return out
}

// step appends to out the items that follow from items in by byte b.
func (s *stacks) step(in []item, b byte, out []item) []item {
	base := len(out)
	var seen map[item]struct{} // for large states; small ones scan
	add := func(it item) {
		n := len(out) - base
		if n < 32 {
			for _, o := range out[base:] {
				if o == it {
					return
				}
			}
			out = append(out, it)
			return
		}
		if seen == nil {
			seen = make(map[item]struct{}, 2*n)
			for _, o := range out[base:] {
				seen[o] = struct{}{}
			}
		}
		if _, dup := seen[it]; !dup {
			seen[it] = struct{}{}
			out = append(out, it)
		}
	}
	for _, it := range in {
		if it.node == 0 {
			continue
		}
		cl := &s.g.classes[s.g.elems[s.nodes[it.node].pos].arg]
		res, p := cl.step(it.partial, b)
		switch res {
		case stepMore:
			add(item{it.node, p})
		case stepDone:
			for _, t := range s.advance(it.node) {
				add(item{t, 0})
			}
		}
		if len(out)-base > maxItems {
			s.err = ErrTooComplex
			return out[:base]
		}
	}
	return out
}

// Matcher follows text through a grammar byte by byte.
type Matcher struct {
	s       *stacks
	cur     []item
	scratch []item
}

// NewMatcher returns a matcher at the start of g.
func NewMatcher(g *Grammar) *Matcher {
	s := newStacks(g)
	m := &Matcher{s: s}
	m.cur = m.fromTops(s.start(g.root))
	s.seen = nil
	return m
}

func (m *Matcher) fromTops(tops []int32) []item {
	out := make([]item, len(tops))
	for i, t := range tops {
		out[i] = item{t, 0}
	}
	return out
}

// Reset returns m to the start of its grammar.
func (m *Matcher) Reset() { m.cur = m.fromTops(m.s.start(m.s.g.root)); m.s.seen = nil }

// Accept advances over text. If text cannot continue the sentence so far
// the matcher is left unchanged and an error is returned.
func (m *Matcher) Accept(text []byte) error {
	cur := m.cur
	for i, c := range text {
		next := m.s.step(cur, c, nil)
		if m.s.err != nil {
			return m.s.err
		}
		if len(next) == 0 {
			return fmt.Errorf("grammar: byte %d (%q) of %q does not fit the grammar", i, c, text)
		}
		cur = next
	}
	m.cur = cur
	return nil
}

// Allows reports whether text can continue the sentence so far.
func (m *Matcher) Allows(text []byte) bool {
	cur := m.cur
	m.scratch = m.scratch[:0]
	for _, c := range text {
		start := len(m.scratch)
		m.scratch = m.s.step(cur, c, m.scratch)
		if len(m.scratch) == start {
			return false
		}
		cur = m.scratch[start:]
	}
	return true
}

// CanEnd reports whether the text so far is a complete sentence.
func (m *Matcher) CanEnd() bool {
	for _, it := range m.cur {
		if it.node == 0 {
			return true
		}
	}
	return false
}

// Ended reports whether the text so far is a complete sentence that
// nothing can extend.
func (m *Matcher) Ended() bool {
	return len(m.cur) == 1 && m.cur[0].node == 0
}
