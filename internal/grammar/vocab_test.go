package grammar

import (
	"sync"
	"testing"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/testshared"
	"github.com/atelier-dev/atelier/internal/tokenizer"
)

// qwenEmbedding is the number of rows of Qwen2's embedding matrix: the
// logits the model gives, more than the tokenizer's vocabulary.
const qwenEmbedding = 151936

var (
	qwenOnce sync.Once
	qwenTok  *tokenizer.Tokenizer
	qwenToks *Tokens
	qwenErr  error
)

// qwenVocab loads the real Qwen2 vocabulary (once per test binary).
func qwenVocab(tb testing.TB) (*tokenizer.Tokenizer, *Tokens) {
	tb.Helper()
	path := testshared.Path(tb, "testdata/vocab/ggml-vocab-qwen2.gguf")
	qwenOnce.Do(func() {
		f, err := gguf.Open(path)
		if err != nil {
			qwenErr = err
			return
		}
		defer f.Close()
		qwenTok, qwenErr = tokenizer.FromGGUF(f)
		if qwenErr == nil {
			qwenToks = NewTokens(qwenTok)
		}
	})
	if qwenErr != nil {
		tb.Fatal(qwenErr)
	}
	return qwenTok, qwenToks
}
