package tokenizer

import (
	"fmt"
	"strings"
	"unicode/utf8"
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

// runeBytes inverts byteRunes; -1 for code points outside the encoding.
var runeBytes = func() (t [324]int16) {
	for i := range t {
		t[i] = -1
	}
	for b, r := range byteRunes {
		t[r] = int16(b)
	}
	return t
}()

// byteOfRune returns the byte a byte-level code point stands for.
func byteOfRune(r rune) (byte, bool) {
	if r < 0 || int(r) >= len(runeBytes) || runeBytes[r] < 0 {
		return 0, false
	}
	return byte(runeBytes[r]), true
}

// appendByteLevel appends the byte-level encoding of s.
func appendByteLevel(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		dst = utf8.AppendRune(dst, byteRunes[s[i]])
	}
	return dst
}

// buildEncoder prepares byte fallback.
func (t *Tokenizer) buildEncoder() {
	if t.kind == kindSPM {
		var inLong [256]bool
		for _, s := range t.texts {
			if len(s) > 1 {
				for i := 0; i < len(s); i++ {
					inLong[s[i]] = true
				}
			}
		}
		for b := range 0x80 {
			t.isolated[b] = !inLong[b]
		}
	}
	for b := range 256 {
		t.byteTok[b] = -1
		hex := fmt.Sprintf("<0x%02X>", b)
		if id, ok := t.toID.find(hex); ok && !t.byteLevel {
			t.byteTok[b] = id
		} else if id, ok := t.toID.find(string([]byte{byte(b)})); ok && t.kind == kindSPM {
			t.byteTok[b] = id
		}
	}
}

// mergeRanks maps each BPE merge to its rank. Like llama.cpp, a merge is
// split at its first space after the first byte; symbols never contain a
// space, so the whole string is the key. The first of duplicate merges
// wins, as in llama.cpp.
func mergeRanks(merges []string) *strIndex {
	ranks := newStrIndex(merges, len(merges))
	for rank, mg := range merges {
		if len(mg) >= 3 && strings.IndexByte(mg[1:], ' ') >= 0 {
			ranks.add(int32(rank))
		}
	}
	return ranks
}

// symbol is one piece of a word during merging: text w[start:end] and its
// neighbours; a merged-away symbol has start == end.
type symbol struct {
	start, end int32
	prev, next int32
}

// cand is a possible merge of two neighbouring symbols; higher pri first,
// then the leftmost. size is the merged length, which tells whether the
// pair is still the one it was made for.
type cand struct {
	pri         float64
	left, right int32
	size        int32
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

// splitSymbols appends to syms (empty) one symbol for each UTF-8 sequence
// of s, as llama.cpp judges their lengths, linked in order; s is not empty.
func splitSymbols[T string | []byte](syms []symbol, s T) []symbol {
	for i := 0; i < len(s); {
		n := min(utf8Len(s[i]), len(s)-i)
		syms = append(syms, symbol{int32(i), int32(i + n), int32(len(syms) - 1), int32(len(syms) + 1)})
		i += n
	}
	syms[len(syms)-1].next = -1
	return syms
}

// mergeSymbols is the merge loop BPE and SentencePiece share: merge the
// neighbouring pair of highest priority (the leftmost among equals) until
// no pair is left. pri gives a pair's priority, or false when the pair
// does not merge. It returns h, the heap's storage, for reuse.
func mergeSymbols(syms []symbol, h []cand, pri func(l, r symbol) (float64, bool)) []cand {
	try := func(l, r int32) {
		if l < 0 || r < 0 {
			return
		}
		if p, ok := pri(syms[l], syms[r]); ok {
			h = pushCand(h, cand{pri: p, left: l, right: r, size: syms[r].end - syms[l].start})
		}
	}
	for i := int32(1); i < int32(len(syms)); i++ {
		try(i-1, i)
	}
	for len(h) > 0 {
		var c cand
		c, h = popCand(h)
		l, r := &syms[c.left], &syms[c.right]
		if l.start == l.end || r.start == r.end || l.next != c.right || r.end-l.start != c.size {
			continue
		}
		l.end = r.end
		r.start = r.end
		l.next = r.next
		if r.next >= 0 {
			syms[r.next].prev = c.left
		}
		try(l.prev, c.left)
		try(c.left, l.next)
	}
	return h
}

// encodeWord appends the tokens of one pre-tokenized word, as llama.cpp's
// BPE session does: merge the neighbouring pair of lowest rank (leftmost
// first) until none is left, then write each symbol as its token, or as
// byte tokens when it is none.
func (t *Tokenizer) encodeWord(st *encodeState, w string, out []int32) []int32 {
	e := st.wbuf[:0] // the word in the vocabulary's encoding
	if t.byteLevel {
		e = appendByteLevel(e, w)
	} else {
		e = append(e, w...)
	}
	st.wbuf = e
	if t.ignoreMerges {
		if id, ok := t.toID.findBytes(e); ok {
			return append(out, id)
		}
	}
	if t.lineTokens && strings.Trim(w, "\n") == "" {
		if id, ok := t.toID.find(w); ok {
			return append(out, id)
		}
	}
	syms := splitSymbols(st.syms[:0], e)
	key := st.key
	h := mergeSymbols(syms, st.heap[:0], func(l, r symbol) (float64, bool) {
		key = append(append(append(key[:0], e[l.start:l.end]...), ' '), e[r.start:r.end]...)
		rank, ok := t.ranks.findBytes(key)
		return -float64(rank), ok
	})
	for i := int32(0); i >= 0; i = syms[i].next {
		sy := e[syms[i].start:syms[i].end]
		if id, ok := t.toID.findBytes(sy); ok {
			out = append(out, id)
			continue
		}
		for _, c := range sy {
			if t.byteLevel {
				if id, ok := t.toID.find(string(c)); ok {
					out = append(out, id)
				}
			} else if id := t.byteTok[c]; id >= 0 {
				out = append(out, id)
			}
		}
	}
	st.syms, st.heap, st.key = syms, h, key
	return out
}
