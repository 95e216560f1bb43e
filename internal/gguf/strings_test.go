package gguf

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestLazyStrings checks that a vocabulary-sized string array read from a
// file stays encoded until asked for, decodes to what was written (also
// when copied into a new file), and is refused after Close on a mapping.
func TestLazyStrings(t *testing.T) {
	words := make([]string, 3*lazyStrings+5)
	for i := range words {
		words[i] = fmt.Sprintf("tok%d%s", i, strings.Repeat("▁", i%5))
	}
	words[7] = ""
	b := NewBuilder()
	b.Set("tokenizer.ggml.tokens", words)
	b.Set("small", []string{"a", "b"})
	path := filepath.Join(t.TempDir(), "v.gguf")
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	for _, o := range openers {
		t.Run(o.name, func(t *testing.T) {
			f, err := o.open(path)
			if err != nil {
				t.Fatal(err)
			}
			v, _ := f.Lookup("tokenizer.ggml.tokens")
			if _, lazy := v.arr.(*stringArray); !lazy {
				t.Fatalf("array of %d strings decoded at open (%T)", len(words), v.arr)
			}
			if v.Len() != len(words) {
				t.Errorf("Len %d, want %d", v.Len(), len(words))
			}
			got, ok := f.Strings("tokenizer.ggml.tokens")
			if !ok || !reflect.DeepEqual(got, words) {
				t.Fatalf("Strings: %d strings, ok %v", len(got), ok)
			}
			if s := v.index(len(words) - 1).str; s != words[len(words)-1] {
				t.Errorf("element %q, want %q", s, words[len(words)-1])
			}
			c := NewBuilder()
			c.Set("tokenizer.ggml.tokens", v)
			var sb strings.Builder
			if _, err := c.WriteTo(&sb); err != nil {
				t.Fatal(err)
			}
			g, err := Parse([]byte(sb.String()), "copy.gguf")
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := g.Strings("tokenizer.ggml.tokens"); !reflect.DeepEqual(got, words) {
				t.Fatal("copied array differs")
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			if o.name != "mmap" {
				return
			}
			defer func() {
				if recover() == nil {
					t.Error("no panic reading a string array after Close")
				}
			}()
			f.Strings("tokenizer.ggml.tokens")
		})
	}
}
