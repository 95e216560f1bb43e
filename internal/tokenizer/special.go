package tokenizer

import "strings"

// llama.cpp finds several special tokens by their text when the file does
// not name them, and marks them as control tokens.
var (
	eotTexts = []string{"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
		"<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>"}
	eomTexts    = []string{"<|eom_id|>"}
	fimPreTexts = []string{"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>",
		"▁<PRE>", "<|code_prefix|>", "<|prefix|>"}
	fimSufTexts = []string{"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>",
		"▁<SUF>", "<|code_suffix|>", "<|suffix|>"}
	fimMidTexts = []string{"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>",
		"▁<MID>", "<|code_middle|>", "<|middle|>"}
	fimPadTexts = []string{"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"}
	fimRepTexts = []string{"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"}
	fimSepTexts = []string{"<|file_sep|>"}
	eogTexts    = []string{"<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>",
		"<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]",
		"[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
		"<｜end▁of▁sentence｜>", "[e~["}
)

// findByText returns the lowest id among the tokens with one of the texts.
// (llama.cpp walks a hash map, so which one it picks when several exist is
// unspecified.)
func (t *Tokenizer) findByText(texts []string) int32 {
	best := int32(-1)
	for _, s := range texts {
		if i, ok := t.toID.find(s); ok && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}

// detectSpecial fills in the EOT, EOM and FIM tokens the file leaves unset
// and marks them as control tokens, and marks control tokens named
// "unused" as unused.
func (t *Tokenizer) detectSpecial(fim *[6]int32) {
	detect := func(id *int32, texts []string) {
		if *id >= 0 {
			return
		}
		if *id = t.findByText(texts); *id >= 0 {
			t.attrs[*id] |= attrControl
		}
	}
	detect(&t.eot, eotTexts)
	detect(&t.eom, eomTexts)
	for i, texts := range [][]string{fimPreTexts, fimSufTexts, fimMidTexts, fimPadTexts, fimRepTexts, fimSepTexts} {
		detect(&fim[i], texts)
	}
	for i, a := range t.attrs {
		if a&attrControl != 0 && strings.Contains(t.texts[i], "unused") {
			t.attrs[i] |= attrUnused
		}
	}
}

// buildEOG collects the end-of-generation tokens as llama.cpp does.
func (t *Tokenizer) buildEOG(fim [6]int32) {
	t.eog = map[int32]bool{}
	for _, id := range fim[3:] {
		if id >= 0 {
			t.eog[id] = true
		}
	}
	for _, s := range eogTexts {
		if id, ok := t.toID.find(s); ok {
			t.eog[id] = true
			t.attrs[id] |= attrControl
		}
	}
	for _, s := range []string{"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"} {
		if id, ok := t.toID.find(s); ok {
			t.attrs[id] = attrUserDefined
		}
	}
	for _, id := range []int32{t.eos, t.eot, t.eom} {
		if id >= 0 {
			t.eog[id] = true
		}
	}
	has := func(s string) (int32, bool) {
		id, ok := t.toID.find(s)
		return id, ok && t.eog[id]
	}
	_, ret := has("<|return|>")
	_, call := has("<|call|>")
	_, calls := has("<|calls|>")
	_, flush := has("<|flush|>")
	if end, ok := has("<|end|>"); ok && (ret && (call || calls) || (call || calls) && flush) {
		delete(t.eog, end)
		t.attrs[end] = attrUserDefined
	}
	if s, ok := has("</s>"); ok {
		if _, tr := has("<|tool_response>"); tr {
			delete(t.eog, s)
			t.attrs[s] = attrNormal
		}
	}
}

// trie finds the special tokens occurring in a text.
type trie struct {
	root  [256]int32 // child of the root by byte, 0 for none
	nodes []trieNode // nodes[0] is unused
}

type trieNode struct {
	id    int32 // token ending here, or -1
	edges []trieEdge
}

type trieEdge struct {
	b  byte
	to int32
}

func (tr *trie) insert(s string, id int32) {
	if s == "" {
		return
	}
	if tr.nodes == nil {
		tr.nodes = []trieNode{{id: -1}}
	}
	cur := tr.root[s[0]]
	if cur == 0 {
		cur = tr.newNode()
		tr.root[s[0]] = cur
	}
	for i := 1; i < len(s); i++ {
		next := int32(0)
		for _, e := range tr.nodes[cur].edges {
			if e.b == s[i] {
				next = e.to
				break
			}
		}
		if next == 0 {
			next = tr.newNode()
			tr.nodes[cur].edges = append(tr.nodes[cur].edges, trieEdge{s[i], next})
		}
		cur = next
	}
	tr.nodes[cur].id = id
}

func (tr *trie) newNode() int32 {
	tr.nodes = append(tr.nodes, trieNode{id: -1})
	return int32(len(tr.nodes) - 1)
}

// each calls f for every token that occurs in s starting at i.
func (tr *trie) each(s string, i int, f func(id int32)) {
	cur := tr.root[s[i]]
	for cur != 0 {
		if id := tr.nodes[cur].id; id >= 0 {
			f(id)
		}
		i++
		if i >= len(s) {
			return
		}
		next := int32(0)
		for _, e := range tr.nodes[cur].edges {
			if e.b == s[i] {
				next = e.to
				break
			}
		}
		cur = next
	}
}

// fragment is a piece of the text to encode: raw text s[start:end], or a
// special token when id >= 0.
type fragment struct {
	start, end int
	id         int32
}

// partition splits s on the special tokens in it as llama.cpp's
// tokenizer_st_partition does: user-defined tokens always, control and
// unknown tokens only when parseSpecial; longer tokens first, each taking
// its leftmost non-overlapping occurrences in the text left so far, with
// the whitespace around a token that strips it removed.
func (t *Tokenizer) partition(s string, parseSpecial bool, frags, tmp []fragment, seen map[int32]bool) ([]fragment, []fragment) {
	frags = append(frags[:0], fragment{0, len(s), -1})
	if len(s) == 0 {
		return frags[:0], tmp
	}
	clear(seen)
	for i := 0; i < len(s); i++ {
		if t.specialTrie.root[s[i]] == 0 {
			continue
		}
		t.specialTrie.each(s, i, func(id int32) {
			if parseSpecial || t.attrs[id]&(attrControl|attrUnknown) == 0 {
				seen[id] = true
			}
		})
	}
	if len(seen) == 0 {
		return frags, tmp
	}
	for _, id := range t.special {
		if !seen[id] {
			continue
		}
		tok, a := t.texts[id], t.attrs[id]
		out := tmp[:0]
		for _, f := range frags {
			if f.id >= 0 {
				out = append(out, f)
				continue
			}
			pos, end := f.start, f.end
			for {
				m := strings.Index(s[pos:end], tok)
				if m < 0 {
					if pos < end {
						out = append(out, fragment{pos, end, -1})
					}
					break
				}
				m += pos
				l := m
				if a&attrLStrip != 0 {
					for l > pos && isSpaceC(s[l-1]) {
						l--
					}
				}
				if l > pos {
					out = append(out, fragment{pos, l, -1})
				}
				out = append(out, fragment{m, m + len(tok), id})
				r := m + len(tok)
				if r >= end {
					break
				}
				if a&attrRStrip != 0 {
					for r < end && isSpaceC(s[r]) {
						r++
					}
				}
				pos = r
			}
		}
		frags, tmp = out, frags
	}
	return frags, tmp
}

// isSpaceC is C's isspace.
func isSpaceC(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }
