package tokenizer

import (
	"testing"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/testshared"
)

func BenchmarkLoad(b *testing.B) {
	for _, name := range []string{"qwen2", "llama-bpe", "llama-spm", "gemma-4"} {
		b.Run(name, func(b *testing.B) {
			path := testshared.Path(b, "testdata/vocab/ggml-vocab-"+name+".gguf")
			for b.Loop() {
				f, err := gguf.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := FromGGUF(f); err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
		})
	}
}
