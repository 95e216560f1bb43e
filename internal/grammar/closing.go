package grammar

import "math"

// Closing: a generation cut by its token cap leaves a valid prefix but not
// a sentence. To finish within the cap, the engine asks how far the
// sentence is from complete (Remaining) and, near the cap, restricts the
// model to tokens that close it in time (Close).
//
// Distances are in bytes: the fewest bytes of text that take the matcher
// from its state to a complete sentence. They come from a static analysis
// of the grammar: the shortest text each rule derives (a fixpoint over
// the rules, infinite for a rule that never terminates) and, for every
// element, the shortest text for the rest of its alternative. A parse
// stack then needs the sum over its frames of the rest of each frame's
// alternative, and a state the least over its stacks. Every byte shortens
// the distance by at most one, and from any live state some byte shortens
// it by exactly one, so a model kept on such bytes ends in as many bytes
// as the distance said.

// inf is the distance of what cannot be completed.
const inf = math.MaxInt32 / 4

func addDist(a, b int) int { return min(a+b, inf) }

// minLengths holds the static analysis of a grammar.
type minLengths struct {
	rule []int // per rule: the shortest text it derives
	rest []int // per element: the shortest text from it to its alternative's end
}

// classMin is the length of the shortest UTF-8 encoding of a member of cl.
func classMin(cl *class) int {
	if len(cl.spans) == 0 {
		return inf
	}
	switch lo := cl.spans[0].lo; {
	case lo < 0x80:
		return 1
	case lo < 0x800:
		return 2
	case lo < 0x10000:
		return 3
	default:
		return 4
	}
}

// analyze computes the shortest derivations of g's rules and elements.
func analyze(g *Grammar) *minLengths {
	ml := &minLengths{rule: make([]int, len(g.rules)), rest: make([]int, len(g.elems))}
	for i := range ml.rule {
		ml.rule[i] = inf
	}
	elemMin := func(e elem) int {
		switch e.kind {
		case elemClass:
			return classMin(&g.classes[e.arg])
		case elemRef:
			return ml.rule[e.arg]
		}
		return 0
	}
	// The rest of an alternative depends on the rules it refers to; the
	// rules' lengths only fall, so iterating to a fixpoint terminates.
	for changed := true; changed; {
		changed = false
		for r := range g.rules {
			best := inf
			for _, a := range g.rules[r].alts {
				sum := 0
				for p := a; g.elems[p].kind != elemEnd && sum < inf; p++ {
					sum = addDist(sum, elemMin(g.elems[p]))
				}
				best = min(best, sum)
			}
			if best < ml.rule[r] {
				ml.rule[r], changed = best, true
			}
		}
	}
	for p := len(g.elems) - 1; p >= 0; p-- {
		if g.elems[p].kind == elemEnd {
			ml.rest[p] = 0
			continue
		}
		ml.rest[p] = addDist(elemMin(g.elems[p]), ml.rest[p+1])
	}
	return ml
}

// MinLength returns the length in bytes of the shortest sentence of g, or
// -1 if g has none.
func (g *Grammar) MinLength() int {
	if n := analyze(g).rule[g.root]; n < inf {
		return n
	}
	return -1
}

// frameDist returns the distance of the stack whose top frame is n: the
// rest of its alternative plus its parent's, memoized per frame.
func (s *stacks) frameDist(n int32) int {
	if n <= 0 {
		return 0
	}
	if s.ml == nil {
		s.ml = analyze(s.g)
	}
	for len(s.dist) < len(s.nodes) {
		s.dist = append(s.dist, -1)
	}
	if d := s.dist[n]; d >= 0 {
		return int(d)
	}
	nd := s.nodes[n]
	d := addDist(s.ml.rest[nd.pos], s.frameDist(nd.parent))
	s.dist[n] = int32(d)
	return d
}

// distance returns the fewest bytes that complete a sentence from state.
func (s *stacks) distance(state []item) int {
	best := inf
	for _, it := range state {
		var d int
		switch {
		case it.node == 0:
			return 0
		case it.partial != 0:
			// A code point is in progress: its remaining continuation
			// bytes, then the rest after the class element.
			_, rem, _ := unpackPartial(it.partial)
			nd := s.nodes[it.node]
			d = addDist(rem, addDist(s.ml.rest[nd.pos+1], s.frameDist(nd.parent)))
		default:
			d = s.frameDist(it.node)
		}
		best = min(best, d)
	}
	return best
}

// stateDistance is distance with the analysis done first.
func (s *stacks) stateDistance(state []item) int {
	if s.ml == nil {
		s.ml = analyze(s.g)
	}
	return s.distance(state)
}

// Remaining returns the fewest bytes that complete the sentence so far (0
// when it is complete, a very large number when it cannot be completed).
func (m *Matcher) Remaining() int { return m.s.stateDistance(m.cur) }

// Remaining returns the fewest bytes of text that complete the output so
// far: 0 when an end-of-generation token may come.
func (c *Constraint) Remaining() int {
	if c.ended {
		return 0
	}
	return c.m.Remaining()
}

// after returns the distance after token id, or -1 if id is not allowed.
// It steps over the token's bytes once, so Fits costs about what Allows
// does.
func (c *Constraint) after(id int32) int {
	if c.ended || id < 0 || int(id) >= c.t.n {
		return -1
	}
	if c.t.eog[id] {
		if c.m.CanEnd() {
			return 0
		}
		return -1
	}
	b := c.t.bytes[id]
	if len(b) == 0 {
		return -1
	}
	cur := c.m.cur
	c.m.scratch = c.m.scratch[:0]
	for _, x := range b {
		start := len(c.m.scratch)
		c.m.scratch = c.m.s.step(cur, x, c.m.scratch)
		if len(c.m.scratch) == start {
			return -1
		}
		cur = c.m.scratch[start:]
	}
	return c.m.s.stateDistance(cur)
}

// Fits reports whether token id is allowed and leaves the output no more
// than budget-1 bytes from complete: after it, budget-1 tokens of a byte
// each can still finish the output.
func (c *Constraint) Fits(id int32, budget int) bool {
	d := c.after(id)
	return d >= 0 && d < budget
}

// Close masks the logits so that the output finishes within budget tokens
// (the next one included): only tokens after which the output is at most
// budget-1 bytes from complete stay. When there are none, the grammar
// needs more than the budget: only the tokens that bring the output
// closest to complete stay, which shortens the distance at every step
// (when the vocabulary holds the bytes of some shortest completion, as
// vocabularies with byte tokens do), so closing always terminates.
func (c *Constraint) Close(logits []float32, budget int) {
	if c.ended {
		fill(logits, 0)
		return
	}
	bits := c.allowed(c.m.cur)
	dist := make([]int32, c.t.n)
	for i := range dist {
		dist[i] = -1
	}
	// Walk the trie as Mask does, noting each token's distance after it.
	t, s := c.t, c.m.s
	if s.ml == nil {
		s.ml = analyze(s.g)
	}
	for id, e := range t.eog {
		if e && bits[id>>6]&(1<<(id&63)) != 0 {
			dist[id] = 0
		}
	}
	c.dfa.trim()
	levels := make([]int32, t.maxDepth+1)
	levels[0] = c.dfa.id(c.m.cur)
	scratch := c.buf
	for i := int32(1); int(i) < len(t.edge); {
		d := int(t.depth[i])
		next := c.dfa.next[levels[d-1]][t.edge[i]] - 1
		if next == -1 {
			next, scratch = c.dfa.step(s, levels[d-1], t.edge[i], scratch)
		}
		if next < 0 {
			i = t.end[i]
			continue
		}
		levels[d] = next
		if toks := t.toks[t.first[i]:t.first[i+1]]; len(toks) > 0 {
			r := int32(s.distance(c.dfa.states[next]))
			for _, id := range toks {
				dist[id] = r
			}
		}
		i++
	}
	c.buf = scratch[:0]
	restrict(logits, dist, budget)
}

// restrict masks logits to the tokens of dist (-1: not allowed) within
// budget-1, or, when there are none, to those of least distance.
func restrict(logits []float32, dist []int32, budget int) {
	least := int32(inf)
	fits := false
	for _, d := range dist {
		if d < 0 {
			continue
		}
		least = min(least, d)
		if int(d) < budget {
			fits = true
		}
	}
	negInf := float32(math.Inf(-1))
	n := min(len(logits), len(dist))
	for i := range n {
		d := dist[i]
		if d < 0 || fits && int(d) >= budget || !fits && d != least {
			logits[i] = negInf
		}
	}
	fill(logits, n)
}

// Remaining returns the fewest bytes of text that complete the output so
// far: 0 in free text, else the constrained part's distance to complete.
func (l *Lazy) Remaining() int {
	if l.ended || l.st.free {
		return 0
	}
	return l.s.stateDistance(l.st.cur)
}

// after returns the distance after token id, or -1 if id is not allowed
// (the rules of Allows, with one pass over the token's text).
func (l *Lazy) after(id int32) int {
	if l.ended || id < 0 || int(id) >= l.t.n {
		return -1
	}
	if l.t.eog[id] {
		if l.st.free || canEnd(l.st.cur) {
			return 0
		}
		return -1
	}
	text := l.tokenText(id)
	if len(text) == 0 {
		if l.st.free {
			return 0
		}
		return -1
	}
	st, ok := l.run(l.st, text, false)
	switch {
	case !ok:
		return -1
	case st.free:
		return 0
	}
	return l.s.stateDistance(st.cur)
}

// Fits reports whether token id is allowed and leaves the output no more
// than budget-1 bytes from complete (in free text: does not open a call
// that the budget cannot finish).
func (l *Lazy) Fits(id int32, budget int) bool {
	d := l.after(id)
	return d >= 0 && d < budget
}

// Close masks the logits so that the output finishes within budget
// tokens, as Constraint.Close does; in free text it keeps the model from
// opening a call it has no room to finish.
func (l *Lazy) Close(logits []float32, budget int) {
	if l.ended {
		fill(logits, 0)
		return
	}
	dist := make([]int32, l.t.n)
	for i := range dist {
		dist[i] = -1
	}
	if l.st.free || canEnd(l.st.cur) {
		// Text may go on freely: check every token.
		for id := range int32(l.t.n) {
			dist[id] = int32(l.after(id))
		}
		restrict(logits, dist, budget)
		return
	}
	// In a call: walk the trie as allowed does, noting each token's
	// distance after it; below a state where the call can be complete,
	// the tokens may go on as free text, so check them one by one.
	t, d := l.t, &l.dfa
	d.trim()
	levels := make([]int32, t.maxDepth+1)
	levels[0] = d.id(l.st.cur)
	var scratch []item
	for i := int32(1); int(i) < len(t.edge); {
		dep := int(t.depth[i])
		next := d.next[levels[dep-1]][t.edge[i]] - 1
		if next == -1 {
			next, scratch = d.step(l.s, levels[dep-1], t.edge[i], scratch)
		}
		if next < 0 {
			i = t.end[i]
			continue
		}
		levels[dep] = next
		if canEnd(d.states[next]) {
			for _, id := range t.toks[t.first[i]:t.first[t.end[i]]] {
				dist[id] = int32(l.after(id))
			}
			i = t.end[i]
			continue
		}
		if toks := t.toks[t.first[i]:t.first[i+1]]; len(toks) > 0 {
			r := int32(l.s.stateDistance(d.states[next]))
			for _, id := range toks {
				dist[id] = r
			}
		}
		i++
	}
	restrict(logits, dist, budget)
}
