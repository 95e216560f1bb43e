package tokenizer

import (
	"fmt"

	"github.com/atelier-dev/atelier/internal/gguf"
)

var specialKeys = []string{"bos", "eos", "eot", "eom", "unknown", "seperator", "padding", "mask",
	"fim_pre", "fim_suf", "fim_mid", "fim_pad", "fim_rep", "fim_sep", "prefix", "suffix", "middle"}

// FromGGUF builds the tokenizer a GGUF file describes in its
// tokenizer.ggml.* metadata. It works on vocabulary-only files too.
func FromGGUF(f *gguf.File) (*Tokenizer, error) {
	v, err := VocabFromGGUF(f)
	if err != nil {
		return nil, err
	}
	t, err := New(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	return t, nil
}

// VocabFromGGUF reads the tokenizer.ggml.* metadata of a file.
func VocabFromGGUF(f *gguf.File) (*Vocab, error) {
	const p = "tokenizer.ggml."
	v := &Vocab{SpecialIDs: map[string]int32{}}
	var ok bool
	if v.Model, ok = f.String(p + "model"); !ok {
		return nil, fmt.Errorf("%w: %s has no %smodel", ErrVocab, f.Path, p)
	}
	v.Pre, _ = f.String(p + "pre")
	v.Name, _ = f.String("general.name")
	if v.Tokens, ok = f.Strings(p + "tokens"); !ok {
		return nil, fmt.Errorf("%w: %s has no %stokens", ErrVocab, f.Path, p)
	}
	if _, present := f.Lookup(p + "scores"); present {
		if v.Scores, ok = f.Float32s(p + "scores"); !ok {
			return nil, fmt.Errorf("%w: %s: %sscores is not an array of numbers", ErrVocab, f.Path, p)
		}
	}
	if _, present := f.Lookup(p + "token_type"); present {
		types, ok := f.Int32s(p + "token_type")
		if !ok {
			return nil, fmt.Errorf("%w: %s: %stoken_type is not an array of integers", ErrVocab, f.Path, p)
		}
		v.Types = make([]TokenType, len(types))
		for i, x := range types {
			v.Types[i] = TokenType(x)
		}
	}
	if _, present := f.Lookup(p + "merges"); present {
		if v.Merges, ok = f.Strings(p + "merges"); !ok {
			return nil, fmt.Errorf("%w: %s: %smerges is not an array of strings", ErrVocab, f.Path, p)
		}
	}
	for _, k := range specialKeys {
		if id, ok := f.Uint(p + k + "_token_id"); ok && id < 1<<31 {
			v.SpecialIDs[k] = int32(id)
		}
	}
	flag := func(key string) *bool {
		if b, ok := f.Bool(p + key); ok {
			return &b
		}
		return nil
	}
	v.AddBOS, v.AddEOS, v.AddSpacePrefix = flag("add_bos_token"), flag("add_eos_token"), flag("add_space_prefix")
	return v, nil
}
