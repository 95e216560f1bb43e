package tokenizer

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/gguf"
)

func TestSpecialTokens(t *testing.T) {
	for _, c := range []struct {
		vocab            string
		bos, eos         int32
		addBOS           bool
		eog, notEOG      []string
		control, notCtrl []string
	}{
		{"qwen2", 151643, 151643, false, []string{"<|im_end|>", "<|endoftext|>"}, []string{"<|im_start|>", "Hello"},
			[]string{"<|im_start|>", "<|im_end|>"}, []string{"[PAD151646]", "Hello"}},
		{"llama-bpe", 128000, 128001, true, []string{"<|eot_id|>", "<|end_of_text|>"}, []string{"<|begin_of_text|>"},
			[]string{"<|begin_of_text|>"}, []string{"Hello"}},
		{"llama-spm", 1, 2, true, []string{"</s>"}, []string{"<s>"}, []string{"<s>", "</s>"}, []string{"▁the"}},
		{"phi-3", 1, 32000, true, []string{"<|end|>", "<|endoftext|>"}, []string{"<|assistant|>"}, []string{"<|assistant|>"}, nil},
		{"gemma-4", 2, 1, true, []string{"<eos>", "<turn|>"}, []string{"<|turn>", "<bos>"}, []string{"<|turn>"}, []string{"<|tool_call>"}},
	} {
		tok := loadVocab(t, c.vocab)
		if tok.BOS() != c.bos || tok.EOS() != c.eos || tok.AddBOS() != c.addBOS {
			t.Errorf("%s: BOS %d EOS %d AddBOS %v, want %d %d %v", c.vocab, tok.BOS(), tok.EOS(), tok.AddBOS(), c.bos, c.eos, c.addBOS)
		}
		id := func(s string) int32 {
			i, ok := tok.TokenID(s)
			if !ok {
				t.Fatalf("%s: no token %q", c.vocab, s)
			}
			return i
		}
		for _, s := range c.eog {
			if !tok.IsEOG(id(s)) {
				t.Errorf("%s: %s is not EOG", c.vocab, s)
			}
		}
		for _, s := range c.notEOG {
			if tok.IsEOG(id(s)) {
				t.Errorf("%s: %s is EOG", c.vocab, s)
			}
		}
		for _, s := range c.control {
			if !tok.IsControl(id(s)) || len(tok.Piece(id(s))) != 0 || string(tok.TokenBytes(id(s))) != s {
				t.Errorf("%s: %s: control %v, piece %q, bytes %q", c.vocab, s, tok.IsControl(id(s)), tok.Piece(id(s)), tok.TokenBytes(id(s)))
			}
		}
		for _, s := range c.notCtrl {
			if tok.IsControl(id(s)) {
				t.Errorf("%s: %s is control", c.vocab, s)
			}
		}
		if tok.TokenText(-1) != "" || tok.Piece(int32(tok.VocabSize())) != nil || tok.IsControl(-5) {
			t.Errorf("%s: out-of-range ids are not handled", c.vocab)
		}
	}
}

func TestPieces(t *testing.T) {
	for _, c := range []struct{ vocab, token, piece string }{
		{"llama-spm", "<0x0A>", "\n"},
		{"llama-spm", "▁the", " the"},
		{"qwen2", "Ġworld", " world"},
		{"qwen2", "Ċ", "\n"},
		{"gpt-2", "Ġ", " "},
		{"gemma-4", "▁the", " the"},
		{"gemma-4", "<0xE6>", "\xe6"},
		{"qwen2", "[PAD151646]", "[PAD151646]"}, // user-defined: its text
	} {
		tok := loadVocab(t, c.vocab)
		id, ok := tok.TokenID(c.token)
		if !ok {
			t.Fatalf("%s: no token %q", c.vocab, c.token)
		}
		if got := string(tok.Piece(id)); got != c.piece {
			t.Errorf("%s: Piece(%q) = %q, want %q", c.vocab, c.token, got, c.piece)
		}
	}
}

func TestAddSpecial(t *testing.T) {
	for _, c := range []struct {
		vocab string
		text  string
		want  []int32
	}{
		{"llama-spm", "Hello", []int32{1, 15043}},
		{"llama-bpe", "Hello", []int32{128000, 9906}},
		{"qwen2", "Hello", []int32{9707}},
		{"gemma-4", "Hello", []int32{2, 9259}},
	} {
		tok := loadVocab(t, c.vocab)
		if got := tok.Encode(c.text, true, false); !slices.Equal(got, c.want) {
			t.Errorf("%s: Encode(%q, addSpecial) = %v, want %v", c.vocab, c.text, got, c.want)
		}
	}
}

// tiny builds a small vocabulary for tests that need no shared data.
func tiny(model, pre string) *Vocab {
	v := &Vocab{Model: model, Pre: pre, SpecialIDs: map[string]int32{}}
	switch model {
	case "llama":
		v.Tokens = []string{"<unk>", "<s>", "</s>", "▁", "a", "b", "ab", "▁ab", "<0x0A>"}
		v.Scores = []float32{0, 0, 0, -1, -2, -2, -1, -0.5, 0}
		v.Types = []TokenType{TypeUnknown, TypeControl, TypeControl, TypeNormal, TypeNormal, TypeNormal, TypeNormal, TypeNormal, TypeByte}
	default:
		v.Tokens = []string{"a", "b", "c", "Ġ", "ab", "Ġab", "<|end|>"}
		v.Types = []TokenType{1, 1, 1, 1, 1, 1, TypeControl}
		v.Merges = []string{"a b", "Ġ ab"}
		v.SpecialIDs["eos"] = 6
	}
	return v
}

func TestTinyVocab(t *testing.T) {
	spm, err := New(tiny("llama", ""))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := spm.Encode("ab ab\n", true, false), []int32{1, 7, 7, 8}; !slices.Equal(got, want) {
		t.Errorf("SPM: got %v, want %v", got, want)
	}
	if got := spm.Decode([]int32{1, 7, 7, 8}); got != " ab ab\n" {
		t.Errorf("SPM decode after BOS = %q", got) // llama.cpp keeps the space after BOS
	}
	bpe, err := New(tiny("gpt2", "gpt-2"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := bpe.Encode("ab abc<|end|>", false, true), []int32{4, 5, 2, 6}; !slices.Equal(got, want) {
		t.Errorf("BPE: got %v, want %v", got, want)
	}
	if !bpe.IsEOG(6) || bpe.IsEOG(4) {
		t.Error("BPE: EOG")
	}
}

func TestNewErrors(t *testing.T) {
	bad := func(edit func(v *Vocab)) *Vocab {
		v := tiny("gpt2", "gpt-2")
		edit(v)
		return v
	}
	yes := true
	for _, c := range []struct {
		v    *Vocab
		want error
		msg  string
	}{
		{bad(func(v *Vocab) { v.Model = "t5" }), ErrUnsupported, `tokenizer model "t5"`},
		{bad(func(v *Vocab) { v.Pre = "kimi-k2" }), ErrUnsupported, `pre-tokenizer "kimi-k2"`},
		{bad(func(v *Vocab) { v.Pre = "" }), ErrUnsupported, "without tokenizer.ggml.pre"},
		{bad(func(v *Vocab) { v.Merges = nil }), ErrVocab, "without merges"},
		{bad(func(v *Vocab) { v.Tokens, v.Types = append(v.Tokens, "a"), nil }), ErrVocab, "duplicate token"},
		{bad(func(v *Vocab) { v.Tokens = nil }), ErrVocab, "no tokens"},
		{bad(func(v *Vocab) { v.AddBOS = &yes; v.SpecialIDs["bos"] = 99 }), ErrVocab, "bos_token_id is not set"},
	} {
		_, err := New(c.v)
		if !errors.Is(err, c.want) || err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("got %v, want %v containing %q", err, c.want, c.msg)
		}
	}
}

func TestFromGGUF(t *testing.T) {
	v := tiny("gpt2", "qwen2")
	b := gguf.NewBuilder()
	b.Set("general.architecture", "qwen2")
	b.Set("tokenizer.ggml.model", v.Model)
	b.Set("tokenizer.ggml.pre", v.Pre)
	b.Set("tokenizer.ggml.tokens", v.Tokens)
	b.Set("tokenizer.ggml.token_type", []int32{1, 1, 1, 1, 1, 1, 3})
	b.Set("tokenizer.ggml.merges", v.Merges)
	b.Set("tokenizer.ggml.eos_token_id", uint32(6))
	b.Set("tokenizer.ggml.add_bos_token", false)
	path := filepath.Join(t.TempDir(), "v.gguf")
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tok, err := FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	if tok.EOS() != 6 || !tok.IsControl(6) || tok.VocabSize() != 7 {
		t.Errorf("EOS %d control %v size %d", tok.EOS(), tok.IsControl(6), tok.VocabSize())
	}
	if got := tok.Encode("ab ab", false, false); !slices.Equal(got, []int32{4, 5}) {
		t.Errorf("got %v", got)
	}

	b.Set("tokenizer.ggml.pre", "no-such-pre")
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	f2, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	if _, err := FromGGUF(f2); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), path) {
		t.Errorf("unsupported pre: %v", err)
	}
}
