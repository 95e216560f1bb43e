package tokenizer

import "strings"

// encodeState is the scratch space of one Encode call, pooled.
type encodeState struct {
	frags, fragsTmp []fragment
	seen            map[int32]bool
	ends, endsTmp   []int
	syms            []symbol
	heap            []cand
	buf, wbuf, key  []byte
	cache           map[string][]int32 // BPE word -> tokens
}

const (
	maxCachedWord = 64      // bytes
	maxCacheSize  = 1 << 16 // words
)

func (t *Tokenizer) state() *encodeState {
	if st, ok := t.scratch.Get().(*encodeState); ok {
		return st
	}
	return &encodeState{seen: map[int32]bool{}, cache: map[string][]int32{}}
}

// Encode returns the token ids of text. With addSpecial it adds BOS and EOS
// as the vocabulary asks (tokenizer.ggml.add_bos_token, add_eos_token);
// with parseSpecial, control tokens written in the text (like
// "<|im_start|>") become their ids instead of being tokenized as text.
// User-defined tokens are always recognized, as in llama.cpp.
func (t *Tokenizer) Encode(text string, addSpecial, parseSpecial bool) []int32 {
	return t.AppendEncode(nil, text, addSpecial, parseSpecial)
}

// AppendEncode is Encode appending to dst.
func (t *Tokenizer) AppendEncode(dst []int32, text string, addSpecial, parseSpecial bool) []int32 {
	st := t.state()
	defer t.scratch.Put(st)
	st.frags, st.fragsTmp = t.partition(text, parseSpecial, st.frags, st.fragsTmp, st.seen)
	if addSpecial && t.addBOS {
		dst = append(dst, t.bos)
	}
	prevSpecial := true
	for _, f := range st.frags {
		if f.id >= 0 {
			dst = append(dst, f.id)
			prevSpecial = true
			continue
		}
		s := text[f.start:f.end]
		if t.kind == kindSPM {
			buf := st.buf[:0]
			if t.addSpacePrefix && prevSpecial {
				buf = append(buf, "▁"...)
			}
			buf = appendEscaped(buf, s)
			st.buf = buf
			dst = t.encodeSPM(st, string(buf), dst)
		} else {
			dst = t.encodeBPE(st, s, dst)
		}
		prevSpecial = false
	}
	if addSpecial && t.addEOS {
		dst = append(dst, t.eos)
	}
	return dst
}

// appendEscaped appends s with its spaces written as U+2581.
func appendEscaped(dst []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, "▁"...)
		s = s[i+1:]
	}
}

func (t *Tokenizer) encodeBPE(st *encodeState, s string, dst []int32) []int32 {
	s = sanitize(s)
	if t.escapeSpaces && strings.IndexByte(s, ' ') >= 0 {
		s = string(appendEscaped(st.buf[:0], s))
	}
	st.ends, st.endsTmp = t.pre.split(s, st.ends, st.endsTmp)
	prev := 0
	for _, e := range st.ends {
		w := s[prev:e]
		prev = e
		if len(w) > maxCachedWord {
			dst = t.encodeWord(st, w, dst)
			continue
		}
		if ids, ok := st.cache[w]; ok {
			dst = append(dst, ids...)
			continue
		}
		n := len(dst)
		dst = t.encodeWord(st, w, dst)
		if len(st.cache) >= maxCacheSize {
			clear(st.cache)
		}
		st.cache[strings.Clone(w)] = append([]int32(nil), dst[n:]...)
	}
	return dst
}

// encodeSPM is llama.cpp's SentencePiece tokenizer: merge the neighbouring
// pair whose concatenation is the best-scoring token until none is left,
// then write each piece as its token or as byte tokens.
func (t *Tokenizer) encodeSPM(st *encodeState, s string, dst []int32) []int32 {
	// A byte that no token of two or more bytes contains never merges, so
	// the text on either side of it can be tokenized on its own.
	for start := 0; start < len(s); {
		end := start
		for end < len(s) && !t.isolated[s[end]] {
			end++
		}
		dst = t.encodeSPMRun(st, s[start:end], dst)
		if end < len(s) {
			dst = t.encodeSPMRun(st, s[end:end+1], dst)
		}
		start = end + 1
	}
	return dst
}

func (t *Tokenizer) encodeSPMRun(st *encodeState, s string, dst []int32) []int32 {
	if s == "" {
		return dst
	}
	syms := splitSymbols(st.syms[:0], s)
	h := mergeSymbols(syms, st.heap[:0], func(l, r symbol) (float64, bool) {
		id, ok := t.toID.find(s[l.start:r.end])
		if !ok {
			return 0, false
		}
		return float64(t.scores[id]), true
	})
	for i := int32(0); i >= 0; i = syms[i].next {
		sy := syms[i]
		if id, ok := t.toID.find(s[sy.start:sy.end]); ok {
			dst = append(dst, id)
			continue
		}
		for j := sy.start; j < sy.end; j++ {
			if id := t.byteTok[s[j]]; id >= 0 {
				dst = append(dst, id)
			}
		}
	}
	st.syms, st.heap = syms, h
	return dst
}
