package template

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/atelier-dev/atelier/internal/testshared"
)

// BenchmarkRenderQwen3 renders the tool-calling conversation with Qwen3's
// template, as the agent does before every turn.
func BenchmarkRenderQwen3(b *testing.B) {
	src, err := os.ReadFile(filepath.Join(testshared.Path(b, "testdata/templates"), "Qwen-Qwen3-0.6B.jinja"))
	if err != nil {
		b.Fatal(err)
	}
	tmpl, err := New(string(src))
	if err != nil {
		b.Fatal(err)
	}
	c := loadCases(b)["toolcall"]
	for b.Loop() {
		if _, err := tmpl.Render(Request{Messages: c.Messages, Tools: c.Tools, AddGenerationPrompt: true}); err != nil {
			b.Fatal(err)
		}
	}
}
