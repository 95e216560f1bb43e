package tokenizer

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/testshared"
)

// vocabNames are the vocabularies of ../shared/testdata/vocab with
// llama.cpp's tokenizer cases.
var vocabNames = []string{"qwen2", "qwen35", "llama-bpe", "llama-spm", "phi-3", "gpt-2", "deepseek-coder", "starcoder", "gemma-4"}

var tokCache sync.Map // path -> *Tokenizer

// loadVocab returns the tokenizer of ggml-vocab-NAME.gguf, loaded once per
// test binary.
func loadVocab(tb testing.TB, name string) *Tokenizer {
	tb.Helper()
	path := testshared.Path(tb, "testdata/vocab/ggml-vocab-"+name+".gguf")
	if t, ok := tokCache.Load(path); ok {
		return t.(*Tokenizer)
	}
	f, err := gguf.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	t, err := FromGGUF(f)
	if err != nil {
		tb.Fatal(err)
	}
	tokCache.Store(path, t)
	return t
}

// VocabCase is one of llama.cpp's tokenizer cases.
type vocabCase struct {
	text string
	ids  []int32
}

// loadCases reads NAME.gguf.inp (texts separated by
// "\n__ggml_vocab_test__\n") and NAME.gguf.out (ids, one line per text).
func loadCases(tb testing.TB, name string) []vocabCase {
	tb.Helper()
	base := testshared.Path(tb, "testdata/vocab/ggml-vocab-"+name+".gguf")
	inp, err := os.ReadFile(base + ".inp")
	if err != nil {
		tb.Fatal(err)
	}
	out, err := os.ReadFile(base + ".out")
	if err != nil {
		tb.Fatal(err)
	}
	texts := strings.Split(string(inp), "\n__ggml_vocab_test__\n")
	if texts[len(texts)-1] == "" {
		texts = texts[:len(texts)-1]
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(texts) {
		tb.Fatalf("%s: %d texts but %d lines of ids", name, len(texts), len(lines))
	}
	cases := make([]vocabCase, len(texts))
	for i, text := range texts {
		cases[i].text = text
		for _, f := range strings.Fields(lines[i]) {
			n, err := strconv.Atoi(f)
			if err != nil {
				tb.Fatalf("%s.out line %d: %v", name, i+1, err)
			}
			cases[i].ids = append(cases[i].ids, int32(n))
		}
	}
	return cases
}

func TestVocabCases(t *testing.T) {
	for _, name := range vocabNames {
		t.Run(name, func(t *testing.T) {
			tok := loadVocab(t, name)
			for i, c := range loadCases(t, name) {
				got := tok.Encode(c.text, false, false)
				if !slices.Equal(got, c.ids) {
					t.Errorf("case %d %q:\n got %v\nwant %v", i, c.text, got, c.ids)
				}
			}
		})
	}
}
