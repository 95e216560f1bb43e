package toolcall

import (
	"strings"
	"testing"
)

// BenchmarkParserStream feeds a reasoning block, text and a large
// Qwen3-Coder call a few bytes at a time, as tokens arrive.
func BenchmarkParserStream(b *testing.B) {
	out := "<think>\n" + strings.Repeat("I should write the file. ", 100) + "\n</think>\n\n" +
		strings.Repeat("Here is the plan. ", 50) +
		"<tool_call>\n<function=run>\n<parameter=cmd>\n" + strings.Repeat("echo 'line of a long script' >> out.txt\n", 400) +
		"</parameter>\n</function>\n</tool_call>"
	var chunks []string
	for i := 0; i < len(out); i += 4 {
		chunks = append(chunks, out[i:min(i+4, len(out))])
	}
	b.SetBytes(int64(len(out)))
	for b.Loop() {
		p := NewParser(Qwen3XML, testTools)
		for _, c := range chunks {
			p.Add(c)
		}
		p.Finish()
	}
}
