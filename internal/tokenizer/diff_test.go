package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestDifferential compares Encode with llama.cpp's token ids for the
// corpus in testdata/corpus (code in several languages, prose in several
// scripts, emoji, whitespace runs, CRLF, numbers, chat markup), with and
// without special-token parsing. The golden files come from llama.cpp
// itself: regenerate them with testdata/peer/golden.mjs.
func TestDifferential(t *testing.T) {
	for _, name := range vocabNames {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "golden", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var golden map[string]struct{ Plain, Special []int32 }
			if err := json.Unmarshal(data, &golden); err != nil {
				t.Fatal(err)
			}
			files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.txt"))
			if len(files) != len(golden) {
				t.Fatalf("%d corpus files, %d in the golden file", len(files), len(golden))
			}
			tok := loadVocab(t, name)
			for _, f := range files {
				text, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				want, ok := golden[filepath.Base(f)]
				if !ok {
					t.Fatalf("%s: not in the golden file", f)
				}
				for _, special := range []bool{false, true} {
					w := want.Plain
					if special {
						w = want.Special
					}
					got := tok.Encode(string(text), false, special)
					if i := firstDiff(got, w); i >= 0 {
						t.Errorf("%s (special %v): first difference at token %d:\n got %v\nwant %v", filepath.Base(f), special, i, around(got, i), around(w, i))
					}
				}
			}
		})
	}
}

// firstDiff returns the first index where a and b differ, or -1.
func firstDiff(a, b []int32) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

func around(s []int32, i int) []int32 {
	return s[max(0, i-3):min(len(s), i+5)]
}
