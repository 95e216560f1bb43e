package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/testshared"
)

// TestTokenizeVocabCases runs llama.cpp's tokenizer cases through the CLI.
func TestTokenizeVocabCases(t *testing.T) {
	for _, name := range []string{"qwen2", "qwen35", "llama-bpe", "llama-spm", "phi-3", "gpt-2", "deepseek-coder", "starcoder", "gemma-4"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			model := testshared.Path(t, "testdata/vocab/ggml-vocab-"+name+".gguf")
			inp, err := os.ReadFile(model + ".inp")
			if err != nil {
				t.Fatal(err)
			}
			out, err := os.ReadFile(model + ".out")
			if err != nil {
				t.Fatal(err)
			}
			texts := strings.Split(string(inp), "\n__ggml_vocab_test__\n")
			if texts[len(texts)-1] == "" {
				texts = texts[:len(texts)-1]
			}
			want := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
			if len(want) != len(texts) {
				t.Fatalf("%d texts, %d expected lines", len(texts), len(want))
			}
			for i, text := range texts {
				var stdout, stderr bytes.Buffer
				code := mainArgs([]string{"tokenize", "--model", model}, stdio{strings.NewReader(text), &stdout, &stderr})
				if code != 0 {
					t.Fatalf("case %d: exit %d: %s", i, code, stderr.String())
				}
				if got := strings.TrimSuffix(stdout.String(), "\n"); got != strings.TrimSpace(want[i]) {
					t.Errorf("case %d %q:\n got %s\nwant %s", i, text, got, want[i])
				}
			}
		})
	}
}

func TestTokenizeSpecial(t *testing.T) {
	model := testshared.Path(t, "testdata/vocab/ggml-vocab-qwen2.gguf")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--special"}, "151644 872 198 9707 151645\n"},
		{nil, "27 91 318 4906 91 29 872 198 9707 27 91 318 6213 91 29\n"},
	} {
		var stdout, stderr bytes.Buffer
		args := append([]string{"tokenize", "--model", model}, c.args...)
		if code := mainArgs(args, stdio{strings.NewReader("<|im_start|>user\nHello<|im_end|>"), &stdout, &stderr}); code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, stderr.String())
		}
		if stdout.String() != c.want {
			t.Errorf("%v: got %q, want %q", c.args, stdout.String(), c.want)
		}
	}
}

func TestTokenizeUsage(t *testing.T) {
	for _, args := range [][]string{{"tokenize"}, {"tokenize", "--bogus"}, {"tokenize", "--model", "/nonexistent.gguf"}} {
		var stdout, stderr bytes.Buffer
		if code := mainArgs(args, stdio{strings.NewReader(""), &stdout, &stderr}); code == 0 {
			t.Errorf("%v: exit 0, want failure", args)
		}
		if stderr.Len() == 0 {
			t.Errorf("%v: nothing on stderr", args)
		}
	}
}
