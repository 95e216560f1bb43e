package model

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/testshared"
)

// TestStoriesBatchLogitsExact evaluates a prompt of 70 tokens in one batch
// (llama.cpp's tiled flash attention, its batched matrix products, RoPE
// with glibc's sincosf, the last layer on the last token only), then two
// tokens one at a time, and checks the logits bit for bit against
// llama.cpp's AVX2 build, recorded with testdata/llamadump/dump.c:
//
//	BATCH=70 WANT==result_output ./dump BE stories260K.gguf stories260K.batch70.dump 72 TOKENS
//
// TOKENS being the first 72 of the input and tokens of
// ../shared/testdata/models/stories260K.empty-prompt.greedy.json.
func TestStoriesBatchLogitsExact(t *testing.T) {
	path := testshared.Path(t, "testdata/models/stories260K.gguf")
	g := readStoriesTokens(t, testshared.Path(t, "testdata/models/stories260K.empty-prompt.greedy.json"))
	dump := readLlamaDump(t, filepath.Join("testdata", "attention", "stories260K.batch70.dump"))
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := Load(f)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.SetThreads(2)
	seq := d.NewSequence(128)
	logits := make([]float32, d.Vocab)
	steps := [][]int32{g[:70], g[70:71], g[71:72]}
	for step, in := range steps {
		if err := d.Forward(seq, in, logits); err != nil {
			t.Fatal(err)
		}
		want := dump.get(t, step, "result_output")
		for k, w := range want {
			if math.Float32bits(logits[k]) != math.Float32bits(w) {
				t.Fatalf("step %d (%d tokens): logit %d = %v, llama.cpp %v", step, len(in), k, logits[k], w)
			}
		}
	}
}

// readStoriesTokens returns the input and the generated tokens of a greedy
// golden.
func readStoriesTokens(t *testing.T, path string) []int32 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var g struct{ Input, Tokens []int32 }
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return append(g.Input, g.Tokens...)
}
