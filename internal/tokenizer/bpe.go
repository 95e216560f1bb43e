package tokenizer

import (
	"fmt"
	"strings"
)

// GPT-2's byte-level encoding gives each byte a printable code point: the
// printable Latin-1 bytes stand for themselves, the others for U+0100 on.
var byteRunes = func() (t [256]rune) {
	n := rune(0)
	for b := range 256 {
		if b >= 0x21 && b <= 0x7E || b >= 0xA1 && b <= 0xAC || b >= 0xAE {
			t[b] = rune(b)
		} else {
			t[b] = 256 + n
			n++
		}
	}
	return t
}()

var runeBytes = func() map[rune]byte {
	m := make(map[rune]byte, 256)
	for b, r := range byteRunes {
		m[r] = byte(b)
	}
	return m
}()

// decodeByteLevel returns the bytes a byte-level token text stands for;
// ok is false when it has a code point outside the encoding.
func decodeByteLevel(s string) (b []byte, ok bool) {
	b = make([]byte, 0, len(s))
	for _, r := range s {
		c, ok := runeBytes[r]
		if !ok {
			return nil, false
		}
		b = append(b, c)
	}
	return b, true
}

// bpeModel holds the merges over symbol ids. Symbols are texts in the
// encoding BPE runs on (raw bytes for byte-level vocabularies): ids below
// the vocabulary size are tokens, higher ids are merge operands that are
// not tokens.
type bpeModel struct {
	nVocab  int32
	symID   map[string]int32
	byteSym [256]int32 // byte-level: the symbol of each byte
	merges  map[uint64]bpeMerge
}

type bpeMerge struct{ rank, result int32 }

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// buildEncoder prepares byte fallback and, for BPE, the merge table.
func (t *Tokenizer) buildEncoder(v *Vocab) error {
	for b := range 256 {
		t.byteTok[b] = -1
		hex := fmt.Sprintf("<0x%02X>", b)
		switch {
		case t.byteLevel:
			if id, ok := t.toID[string(byteRunes[b])]; ok {
				t.byteTok[b] = id
			}
		case t.kind == kindSPM:
			if id, ok := t.toID[hex]; ok {
				t.byteTok[b] = id
			} else if id, ok := t.toID[string([]byte{byte(b)})]; ok {
				t.byteTok[b] = id
			}
		default:
			if id, ok := t.toID[hex]; ok {
				t.byteTok[b] = id
			}
		}
	}
	if t.kind != kindBPE {
		return nil
	}
	if len(v.Merges) == 0 {
		return fmt.Errorf("%w: BPE vocabulary without merges", ErrVocab)
	}
	m := &bpeModel{nVocab: int32(len(t.texts)), symID: make(map[string]int32, len(t.texts)+len(v.Merges)/4)}
	raw := func(s string) (string, bool) {
		if !t.byteLevel {
			return s, true
		}
		b, ok := decodeByteLevel(s)
		return string(b), ok
	}
	for i, s := range t.texts {
		if r, ok := raw(s); ok {
			if _, dup := m.symID[r]; !dup {
				m.symID[r] = int32(i)
			}
		}
	}
	intern := func(s string) int32 {
		if id, ok := m.symID[s]; ok {
			return id
		}
		id := int32(len(m.symID)) + m.nVocab
		m.symID[s] = id
		return id
	}
	m.merges = make(map[uint64]bpeMerge, len(v.Merges))
	for rank, mg := range v.Merges {
		sp := strings.IndexByte(mg[min(1, len(mg)):], ' ')
		if sp < 0 {
			continue
		}
		sp += min(1, len(mg))
		a, okA := raw(mg[:sp])
		b, okB := raw(mg[sp+1:])
		if !okA || !okB || a == "" || b == "" {
			continue
		}
		ia, ib := intern(a), intern(b)
		k := pairKey(ia, ib)
		if _, dup := m.merges[k]; dup {
			continue
		}
		m.merges[k] = bpeMerge{int32(rank), intern(a + b)}
	}
	for b := range 256 {
		m.byteSym[b] = -1
		if id, ok := m.symID[string([]byte{byte(b)})]; ok {
			m.byteSym[b] = id
		}
	}
	t.bpe = m
	return nil
}

// symbol is one piece of a word during merging: text w[start:end], its
// symbol id (-1 when it is no token and no merge operand), and its
// neighbours; a merged-away symbol has start == end.
type symbol struct {
	start, end int32
	id         int32
	prev, next int32
}

// cand is a possible merge of two neighbouring symbols; higher pri first,
// then the leftmost. a and b are the expected symbol ids (BPE) or a the
// expected byte length (SPM).
type cand struct {
	pri         float64
	left, right int32
	a, b, res   int32
}

func (c cand) before(d cand) bool {
	return c.pri > d.pri || c.pri == d.pri && c.left < d.left
}

func pushCand(h []cand, c cand) []cand {
	h = append(h, c)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h[i].before(h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
	return h
}

func popCand(h []cand) (cand, []cand) {
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && h[r].before(h[l]) {
			m = r
		}
		if !h[m].before(h[i]) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	return top, h
}

// encodeWord appends the tokens of one pre-tokenized word.
func (t *Tokenizer) encodeWord(st *encodeState, w string, out []int32) []int32 {
	m := t.bpe
	if t.ignoreMerges {
		if id, ok := m.symID[w]; ok && id < m.nVocab {
			return append(out, id)
		}
	}
	if t.lineTokens && strings.Trim(w, "\n") == "" {
		if id, ok := t.toID[w]; ok {
			return append(out, id)
		}
	}
	if len(w) == 1 {
		if id := m.byteSym[w[0]]; id >= 0 && id < m.nVocab {
			return append(out, id)
		}
	}
	syms := st.syms[:0]
	for i := 0; i < len(w); {
		n := 1
		var id int32
		if t.byteLevel {
			id = m.byteSym[w[i]]
		} else {
			n = min(utf8Len(w[i]), len(w)-i)
			id = -1
			if x, ok := m.symID[w[i:i+n]]; ok {
				id = x
			}
		}
		syms = append(syms, symbol{int32(i), int32(i + n), id, int32(len(syms) - 1), int32(len(syms) + 1)})
		i += n
	}
	syms[len(syms)-1].next = -1
	h := st.heap[:0]
	try := func(l, r int32) {
		if l < 0 || r < 0 {
			return
		}
		a, b := syms[l].id, syms[r].id
		if a < 0 || b < 0 {
			return
		}
		if mg, ok := m.merges[pairKey(a, b)]; ok {
			h = pushCand(h, cand{pri: -float64(mg.rank), left: l, right: r, a: a, b: b, res: mg.result})
		}
	}
	for i := int32(1); i < int32(len(syms)); i++ {
		try(i-1, i)
	}
	for len(h) > 0 {
		var c cand
		c, h = popCand(h)
		l, r := &syms[c.left], &syms[c.right]
		if l.start == l.end || r.start == r.end || l.id != c.a || r.id != c.b || l.next != c.right {
			continue
		}
		l.end, l.id = r.end, c.res
		r.start = r.end
		l.next = r.next
		if r.next >= 0 {
			syms[r.next].prev = c.left
		}
		try(l.prev, c.left)
		try(c.left, l.next)
	}
	for i := int32(0); i >= 0; i = syms[i].next {
		s := syms[i]
		if s.id >= 0 && s.id < m.nVocab {
			out = append(out, s.id)
			continue
		}
		for j := s.start; j < s.end; j++ {
			if id := t.byteTok[w[j]]; id >= 0 {
				out = append(out, id)
			}
		}
	}
	st.syms, st.heap = syms, h
	return out
}
