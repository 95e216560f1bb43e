package tokenizer

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// goSource returns about 1 MB of real Go source: the files of a few
// standard library packages from GOROOT, concatenated in name order.
func goSource(tb testing.TB) string {
	tb.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		tb.Skip("GOROOT not found: no go command")
	}
	goroot := strings.TrimSpace(string(out))
	var b strings.Builder
	for _, dir := range []string{"net/http", "go/types", "runtime"} {
		files, _ := filepath.Glob(filepath.Join(goroot, "src", dir, "*.go"))
		slices.Sort(files)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			b.Write(data)
			if b.Len() >= 1<<20 {
				return b.String()[:1<<20]
			}
		}
	}
	tb.Skip("GOROOT sources not found")
	return ""
}

func BenchmarkEncode(b *testing.B) {
	text := goSource(b)
	if out := os.Getenv("ATELIER_BENCH_TEXT"); out != "" {
		os.WriteFile(out, []byte(text), 0o644) // the same text for llama.cpp
	}
	for _, name := range []string{"qwen2", "llama-bpe", "llama-spm", "gemma-4"} {
		tok := loadVocab(b, name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				tok.Encode(text, false, false)
			}
		})
		b.Run(name+"/cold", func(b *testing.B) { // without the word cache of earlier calls
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				st := tok.state()
				clear(st.cache)
				tok.scratch.Put(st)
				tok.Encode(text, false, false)
			}
		})
	}
}
