package tokenizer

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// TokenType is a token's type as GGUF files record it in
// tokenizer.ggml.token_type.
type TokenType int32

// Token types (llama.cpp's LLAMA_TOKEN_TYPE_*).
const (
	TypeUndefined   TokenType = 0
	TypeNormal      TokenType = 1
	TypeUnknown     TokenType = 2
	TypeControl     TokenType = 3
	TypeUserDefined TokenType = 4
	TypeUnused      TokenType = 5
	TypeByte        TokenType = 6
)

// Vocab is a tokenizer's description as GGUF metadata gives it
// (tokenizer.ggml.*). FromGGUF fills one from a file; tests and tools can
// build one directly and pass it to New.
type Vocab struct {
	Model  string // tokenizer.ggml.model: "llama" (SentencePiece), "gpt2" (byte-level BPE) or "gemma4"
	Pre    string // tokenizer.ggml.pre, for BPE: the pre-tokenizer
	Name   string // general.name (llama.cpp adjusts a few models' special tokens by name)
	Tokens []string
	Scores []float32   // per token, or nil
	Types  []TokenType // per token, or nil (all normal)
	Merges []string    // BPE merges, "left right", by rank

	// SpecialIDs holds the special token ids the file sets, by the key name
	// between "tokenizer.ggml." and "_token_id": "bos", "eos", "eot",
	// "eom", "unknown", "seperator", "padding", "mask", "fim_pre", ...
	SpecialIDs map[string]int32

	// Flags the file sets; nil means llama.cpp's default for the model.
	AddBOS, AddEOS, AddSpacePrefix *bool
}

// Sentinel errors.
var (
	// ErrUnsupported is matched when the tokenizer model or pre-tokenizer
	// named by the file is not implemented.
	ErrUnsupported = errors.New("tokenizer: unsupported tokenizer")
	// ErrVocab is matched when the vocabulary metadata is inconsistent.
	ErrVocab = errors.New("tokenizer: invalid vocabulary")
)

// Token attributes (llama.cpp's llama_token_attr).
const (
	attrUnknown uint16 = 1 << iota
	attrUnused
	attrNormal
	attrControl
	attrUserDefined
	attrByte
	attrNormalized
	attrLStrip
	attrRStrip
)

type vocabKind int

const (
	kindSPM vocabKind = iota
	kindBPE
)

// Tokenizer turns text into token ids and back exactly as llama.cpp does
// for the same GGUF vocabulary. It is safe for concurrent use.
type Tokenizer struct {
	kind         vocabKind
	pre          preTokenizer
	byteLevel    bool // GPT-2 byte-to-unicode encoding of the vocabulary
	escapeSpaces bool // BPE on text whose spaces became U+2581 (Gemma 4)
	ignoreMerges bool // a word that is a token is taken whole (Llama 3)
	lineTokens   bool // a word of newlines that is a token is taken whole (Gemma 4)

	addSpacePrefix, addBOS, addEOS bool

	bos, eos, eot, eom, unk int32

	texts      []string
	scores     []float32
	attrs      []uint16
	toID       *strIndex // vocabulary text -> id
	pieces     []string  // bytes each token decodes to, special tokens included; see piecesOf
	piecesOnce sync.Once
	eog        map[int32]bool

	special     []int32 // tokens the text is partitioned on, longest first
	specialTrie trie

	byteTok  [256]int32 // token for a byte that no token covers, or -1
	isolated [256]bool  // SentencePiece: ASCII bytes no longer token contains

	ranks *strIndex // BPE merge "left right" -> rank

	scratch sync.Pool // *encodeState
}

// New builds a tokenizer from a vocabulary, following llama.cpp's
// llama_vocab::load.
func New(v *Vocab) (*Tokenizer, error) {
	n := len(v.Tokens)
	if n == 0 {
		return nil, fmt.Errorf("%w: no tokens", ErrVocab)
	}
	if v.Scores != nil && len(v.Scores) < n {
		return nil, fmt.Errorf("%w: %d scores for %d tokens", ErrVocab, len(v.Scores), n)
	}
	if v.Types != nil && len(v.Types) < n {
		return nil, fmt.Errorf("%w: %d token types for %d tokens", ErrVocab, len(v.Types), n)
	}
	t := &Tokenizer{eot: -1, eom: -1}
	var specialDefaults [3]int32 // bos, eos, unk
	switch v.Model {
	case "llama":
		t.kind = kindSPM
		specialDefaults = [3]int32{1, 2, 0}
		t.addSpacePrefix, t.addBOS = true, true
	case "gpt2":
		t.kind = kindBPE
		specialDefaults = [3]int32{11, 11, -1}
		t.byteLevel = true
		if err := t.setPre(v.Pre); err != nil {
			return nil, err
		}
	case "gemma4":
		t.kind = kindBPE
		specialDefaults = [3]int32{-1, -1, -1}
		t.escapeSpaces, t.lineTokens, t.addBOS = true, true, true
		t.pre = preTokenizer{splitLines}
	default:
		return nil, fmt.Errorf("%w: tokenizer model %q (want llama, gpt2 or gemma4)", ErrUnsupported, v.Model)
	}
	var ranksDone chan struct{}
	if t.kind == kindBPE {
		if len(v.Merges) == 0 {
			return nil, fmt.Errorf("%w: BPE vocabulary without merges", ErrVocab)
		}
		// Built alongside the token map: both are large.
		ranksDone = make(chan struct{})
		go func() {
			t.ranks = mergeRanks(v.Merges)
			close(ranksDone)
		}()
		defer func() { <-ranksDone }()
	}
	if v.AddSpacePrefix != nil {
		t.addSpacePrefix = *v.AddSpacePrefix
	}

	t.texts = make([]string, n)
	t.attrs = make([]uint16, n)
	t.scores = make([]float32, n)
	t.toID = newStrIndex(t.texts, n)
	for i, s := range v.Tokens {
		if s == "" {
			s = "[EMPTY_" + strconv.Itoa(i) + "]"
		}
		t.texts[i] = s
		if j := t.toID.add(int32(i)); j != int32(i) {
			return nil, fmt.Errorf("%w: duplicate token %q has ids %d and %d", ErrVocab, s, j, i)
		}
		if v.Scores != nil {
			t.scores[i] = v.Scores[i]
		}
		t.attrs[i] = attrNormal
		if v.Types != nil {
			t.attrs[i] = attrOfType(v.Types[i])
		}
	}

	id := func(key string, def int32) int32 {
		if def >= int32(n) {
			def = -1
		}
		if x, ok := v.SpecialIDs[key]; ok && x >= 0 && x < int32(n) {
			return x
		}
		return def
	}
	t.bos = id("bos", specialDefaults[0])
	t.eos = id("eos", specialDefaults[1])
	t.unk = id("unknown", specialDefaults[2])
	t.eot = id("eot", -1)
	t.eom = id("eom", -1)
	fim := [6]int32{
		id("fim_pre", id("prefix", -1)), id("fim_suf", id("suffix", -1)), id("fim_mid", id("middle", -1)),
		id("fim_pad", -1), id("fim_rep", -1), id("fim_sep", -1),
	}
	if v.AddBOS != nil {
		t.addBOS = *v.AddBOS
	}
	if v.AddEOS != nil {
		t.addEOS = *v.AddEOS
	}
	if v.Model == "gemma4" {
		t.addBOS = true // llama.cpp overrides it for Gemma 4
	}
	if t.addBOS && t.bos < 0 {
		return nil, fmt.Errorf("%w: add_bos_token is true, but bos_token_id is not set", ErrVocab)
	}
	if t.addEOS && t.eos < 0 {
		return nil, fmt.Errorf("%w: add_eos_token is true, but eos_token_id is not set", ErrVocab)
	}

	t.detectSpecial(&fim)
	t.buildEOG(fim)

	t.buildEncoder()

	for i, a := range t.attrs {
		if a&(attrControl|attrUserDefined|attrUnknown) != 0 {
			t.special = append(t.special, int32(i))
		}
	}
	slices.SortStableFunc(t.special, func(a, b int32) int { return len(t.texts[b]) - len(t.texts[a]) })
	name := strings.ToLower(v.Name)
	if strings.Contains(name, "phi-3") || strings.Contains(name, "phi3") {
		for _, i := range t.special {
			t.attrs[i] |= attrRStrip
		}
		t.setAttrByText("</s>", attrRStrip, true)
		for _, s := range []string{"<unk>", "<s>", "<|endoftext|>"} {
			t.setAttrByText(s, attrRStrip, false)
		}
	}
	for _, i := range t.special {
		t.specialTrie.insert(t.texts[i], i)
	}
	return t, nil
}

func attrOfType(ty TokenType) uint16 {
	switch ty {
	case TypeUnknown:
		return attrUnknown
	case TypeUnused:
		return attrUnused
	case TypeNormal:
		return attrNormal
	case TypeControl:
		return attrControl
	case TypeUserDefined:
		return attrUserDefined
	case TypeByte:
		return attrByte
	}
	return 0
}

func (t *Tokenizer) setAttrByText(s string, a uint16, on bool) {
	if i, ok := t.toID.find(s); ok {
		if on {
			t.attrs[i] |= a
		} else {
			t.attrs[i] &^= a
		}
	}
}

func (t *Tokenizer) setPre(pre string) error {
	switch pre {
	case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano":
		t.pre, t.ignoreMerges, t.addBOS = preTokenizer{splitLlama3}, true, true
	case "dbrx", "smaug-bpe":
		t.pre = preTokenizer{splitLlama3}
	case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "stablelm2", "hunyuan", "solar-open", "grok-2":
		t.pre = preTokenizer{splitQwen(false)}
	case "qwen35":
		t.pre = preTokenizer{splitQwen(true)}
	case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
		"modern-bert", "exaone4", "mpt", "olmo", "jais", "trillion", "granite-docling":
		t.pre = preTokenizer{splitGPT2}
	case "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b", "mellum2":
		t.pre = preTokenizer{oneOf(rxNumber, false), splitGPT2}
	case "deepseek-coder":
		t.pre = preTokenizer{oneOf(0, true), spaceThen(rxLetter), spaceThen(rxPunct), splitCJK, oneOf(rxNumber, false)}
	case "":
		return fmt.Errorf("%w: byte-level BPE without tokenizer.ggml.pre", ErrUnsupported)
	default:
		return fmt.Errorf("%w: pre-tokenizer %q", ErrUnsupported, pre)
	}
	return nil
}
