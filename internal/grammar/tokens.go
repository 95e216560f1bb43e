package grammar

import (
	"bytes"
	"slices"
)

// Vocab is what the grammar needs to know of a model's vocabulary.
type Vocab interface {
	VocabSize() int
	TokenBytes(id int32) []byte
	IsEOG(id int32) bool
}

// controlVocab is implemented by vocabularies that can tell control tokens
// (chat markup such as <|im_start|>), which constrained output never uses.
type controlVocab interface {
	IsControl(id int32) bool
}

// Tokens indexes a vocabulary for matching: every token's bytes and a trie
// of them. Build it once per model; it is immutable and safe to share.
type Tokens struct {
	n     int
	bytes [][]byte // nil for tokens constrained output never uses
	text  [][]byte // every token's text, control tokens' included
	eog   []bool
	// The trie, in pre-order; node 0 is the root. Node i is reached by
	// byte edge[i] at depth depth[i]; its subtree ends before end[i]; the
	// tokens spelled by the path to it are toks[first[i]:first[i+1]].
	edge     []byte
	depth    []uint16
	end      []int32
	first    []int32
	toks     []int32
	maxDepth int
}

// NewTokens indexes v. Tokens with no bytes, control tokens and tokens
// that end generation take no part in the trie.
func NewTokens(v Vocab) *Tokens {
	n := v.VocabSize()
	t := &Tokens{n: n, bytes: make([][]byte, n), text: make([][]byte, n), eog: make([]bool, n)}
	ctl, _ := v.(controlVocab)
	var ids []int32
	for i := range n {
		id := int32(i)
		t.bytes[i] = v.TokenBytes(id)
		t.text[i] = t.bytes[i]
		t.eog[i] = v.IsEOG(id)
		if len(t.bytes[i]) == 0 || t.eog[i] || ctl != nil && ctl.IsControl(id) {
			t.bytes[i] = nil
			continue
		}
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b int32) int {
		if c := bytes.Compare(t.bytes[a], t.bytes[b]); c != 0 {
			return c
		}
		return int(a - b)
	})

	t.edge, t.depth, t.end, t.first = []byte{0}, []uint16{0}, []int32{0}, []int32{0}
	path := []int32{0} // path[d] is the node at depth d
	var prev []byte
	closeTo := func(d int) { // pop the path down to depth d
		for len(path)-1 > d {
			t.end[path[len(path)-1]] = int32(len(t.edge))
			path = path[:len(path)-1]
		}
	}
	for _, id := range ids {
		b := t.bytes[id]
		l := 0
		for l < len(b) && l < len(prev) && b[l] == prev[l] {
			l++
		}
		closeTo(l)
		for d := l; d < len(b); d++ {
			t.first = append(t.first, int32(len(t.toks)))
			path = append(path, int32(len(t.edge)))
			t.edge = append(t.edge, b[d])
			t.depth = append(t.depth, uint16(min(d+1, 65535)))
			t.end = append(t.end, 0)
		}
		t.toks = append(t.toks, id)
		t.maxDepth = max(t.maxDepth, len(b))
		prev = b
	}
	closeTo(0)
	t.end[0] = int32(len(t.edge))
	t.first = append(t.first, int32(len(t.toks)))
	return t
}

// Size returns the number of tokens.
func (t *Tokens) Size() int { return t.n }
