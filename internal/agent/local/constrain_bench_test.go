package local

import (
	"testing"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/testshared"
	"github.com/atelier-dev/atelier/internal/tokenizer"
	"github.com/atelier-dev/atelier/internal/toolcall"
	"github.com/atelier-dev/atelier/internal/tools"
)

// BenchmarkLazyToken is the grammar's cost for one sampled token that is
// allowed (the common case): one Allows and one Accept on the lazy
// tool-call constraint of the agent's tools, over Qwen2's vocabulary, in
// free text and inside a call's string argument.
func BenchmarkLazyToken(b *testing.B) {
	f, err := gguf.Open(testshared.Path(b, "testdata/vocab/ggml-vocab-qwen2.gguf"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		b.Fatal(err)
	}
	cs := constrainer{vocab: tok}
	specs := tools.Default().Specs()
	const text = "Let me look at the tests first, then at the code that fails them."
	for _, bc := range []struct{ name, prefix string }{
		{"free", ""},
		{"in-string", "<tool_call>\n{\"name\": \"write\", \"arguments\": {\"file_path\": \"a.go\", \"content\": \""},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ids := tok.Encode(text, false, false)
			prefix := tok.Encode(bc.prefix, false, true)
			n := 0
			for b.Loop() {
				b.StopTimer()
				c := cs.constraint(toolcall.Hermes, specs, false)
				for _, id := range prefix {
					if err := c.Accept(id); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				for _, id := range ids {
					if !c.Allows(id) {
						b.Fatalf("%q refused", tok.TokenText(id))
					}
					if err := c.Accept(id); err != nil {
						b.Fatal(err)
					}
				}
				n += len(ids)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/token")
		})
	}
}

// BenchmarkToolGrammar is the one-off cost of the agent's tool-call
// grammar, made on the first request and whenever the tools change.
func BenchmarkToolGrammar(b *testing.B) {
	specs := tools.Default().Specs()
	for b.Loop() {
		var cs constrainer
		if g, _ := cs.grammar(0, specs); g == nil {
			b.Fatal("no grammar")
		}
	}
}
