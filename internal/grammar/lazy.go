package grammar

import (
	"bytes"
	"fmt"
	"math"
)

// Lazy lets the model write freely until its output contains one of the
// trigger strings, then holds it to the grammar from the start of that
// trigger (the grammar must therefore accept the trigger text). When the
// grammar's sentence is complete, text is free again, so a model can
// write, call a tool, and write on or call another. It satisfies the
// engine's constraint hook like Constraint, and is not safe for
// concurrent use.
type Lazy struct {
	s        *stacks
	g        *Grammar
	t        *Tokens
	triggers [][]byte
	keep     int // bytes of free text to remember: longest trigger - 1
	st       lazyState
	ended    bool
	masks    maskCache
	dfa      dfa
	a, b     []item // scratch
}

// lazyState is where a lazy constraint stands.
type lazyState struct {
	free bool
	tail []byte // free mode: the last bytes of text, for triggers spanning tokens
	cur  []item // constrained mode: the parse stacks
}

// NewLazy returns a lazy constraint that applies g once the output
// contains one of triggers (none: never).
func NewLazy(g *Grammar, triggers []string, t *Tokens) *Lazy {
	l := &Lazy{s: newStacks(g), g: g, t: t, st: lazyState{free: true}}
	for _, tr := range triggers {
		if tr != "" {
			l.triggers = append(l.triggers, []byte(tr))
			l.keep = max(l.keep, len(tr)-1)
		}
	}
	return l
}

// Triggered reports whether output is currently held to the grammar.
func (l *Lazy) Triggered() bool { return !l.st.free }

// run advances st over text, returning the new state and whether the
// text is allowed. The returned state shares no storage with st only when
// commit is set; otherwise it may use scratch space.
func (l *Lazy) run(st lazyState, text []byte, commit bool) (lazyState, bool) {
	from := 0          // free mode: where to look for triggers in tail+text
	triggered := false // the constrained text below starts with a trigger
	for len(text) > 0 {
		if st.free {
			buf := append(append([]byte{}, st.tail...), text...)
			at, found := -1, false
			for _, tr := range l.triggers {
				if i := bytes.Index(buf[from:], tr); i >= 0 && (!found || from+i < at) {
					at, found = from+i, true
				}
			}
			if !found {
				if len(buf) > l.keep {
					buf = buf[len(buf)-l.keep:]
				}
				st.tail = buf
				return st, true
			}
			st = lazyState{cur: l.start()}
			text = buf[at:]
			from, triggered = 0, true
		}
		// Constrained: follow the grammar byte by byte; when a byte does
		// not fit but the sentence is complete, the rest is free text.
		i := 0
		for ; i < len(text); i++ {
			var next []item
			if commit {
				next = l.s.step(st.cur, text[i], nil)
			} else {
				l.a = l.s.step(st.cur, text[i], l.a[:0])
				next = l.a
				l.a, l.b = l.b, l.a
			}
			if len(next) == 0 || l.s.err != nil {
				if !canEnd(st.cur) {
					return st, false
				}
				break
			}
			st.cur = next
			if len(next) == 1 && next[0].node == 0 {
				i++
				break
			}
		}
		if i == len(text) && !(len(st.cur) == 1 && st.cur[0].node == 0) {
			return st, true
		}
		st = lazyState{free: true}
		text = text[i:]
		if i == 0 && triggered {
			// The grammar took nothing (it accepts the empty text): the
			// trigger here is plain text; look for the next one.
			from = 1
		}
		triggered = false
	}
	return st, true
}

func (l *Lazy) start() []item {
	tops := l.s.start(l.g.root)
	l.s.seen = nil
	out := make([]item, len(tops))
	for i, t := range tops {
		out[i] = item{t, 0}
	}
	return out
}

func canEnd(cur []item) bool {
	for _, it := range cur {
		if it.node == 0 {
			return true
		}
	}
	return false
}

// Allows reports whether token id may come next.
func (l *Lazy) Allows(id int32) bool {
	if l.ended || id < 0 || int(id) >= l.t.n {
		return false
	}
	if l.t.eog[id] {
		return l.st.free || canEnd(l.st.cur)
	}
	text := l.tokenText(id)
	if len(text) == 0 {
		return l.st.free
	}
	_, ok := l.run(l.st, text, false)
	return ok
}

// tokenText is the text token id adds: in free text, control tokens
// count with their text (a family may spell its call opener as one); in a
// call they are refused like any token the grammar does not allow.
func (l *Lazy) tokenText(id int32) []byte {
	if b := l.t.bytes[id]; len(b) > 0 {
		return b
	}
	if l.st.free {
		return l.t.text[id]
	}
	return nil
}

// Accept advances over token id; a token that is not allowed is an error
// wrapping ErrRejected and leaves l unchanged.
func (l *Lazy) Accept(id int32) error {
	if !l.Allows(id) {
		if l.ended || id < 0 || int(id) >= l.t.n {
			return fmt.Errorf("grammar: token %d: %w", id, ErrRejected)
		}
		return fmt.Errorf("grammar: token %d (%q): %w", id, l.t.bytes[id], ErrRejected)
	}
	if l.t.eog[id] {
		l.ended = true
		return nil
	}
	text := l.tokenText(id)
	if len(text) == 0 {
		return nil
	}
	st, _ := l.run(l.st, text, true)
	l.st = st
	return nil
}

// Done reports that generation has ended (an end-of-generation token was
// accepted); free text never forces an end.
func (l *Lazy) Done() bool { return l.ended }

// Mask sets the logits of the tokens that may not come next to -Inf.
func (l *Lazy) Mask(logits []float32) {
	negInf := float32(math.Inf(-1))
	if l.ended {
		fill(logits, 0)
		return
	}
	var key string
	if l.st.free {
		key = "F" + string(l.st.tail)
	} else {
		key = "C" + stateKey(l.st.cur)
	}
	bits := l.masks.get(key)
	if bits == nil {
		bits = l.masks.put(key, (l.t.n+63)/64)
		l.allowed(bits)
	}
	n := min(len(logits), l.t.n)
	for i := 0; i < n; i++ {
		if bits[i>>6]&(1<<(i&63)) == 0 {
			logits[i] = negInf
		}
	}
	fill(logits, n)
}

// allowed marks the allowed tokens in bits.
func (l *Lazy) allowed(bits []uint64) {
	set := func(id int32) { bits[id>>6] |= 1 << (id & 63) }
	if l.st.free {
		for id := range int32(l.t.n) {
			if l.Allows(id) {
				set(id)
			}
		}
		return
	}
	// Constrained: walk the trie; where the sentence can be complete, the
	// tokens below may go on as free text, so check them one by one.
	for id, e := range l.t.eog {
		if e && canEnd(l.st.cur) {
			set(int32(id))
		}
	}
	t := l.t
	if canEnd(l.st.cur) {
		for id := range int32(t.n) {
			if l.Allows(id) {
				set(id)
			}
		}
		return
	}
	d := &l.dfa
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
				if l.Allows(id) {
					set(id)
				}
			}
			i = t.end[i]
			continue
		}
		for _, id := range t.toks[t.first[i]:t.first[i+1]] {
			set(id)
		}
		i++
	}
}
