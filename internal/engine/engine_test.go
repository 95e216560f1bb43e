package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/atelier-dev/atelier/internal/sample"
	"github.com/atelier-dev/atelier/internal/testshared"
)

func loadStories(t testing.TB) *Engine {
	t.Helper()
	e, err := Load(testshared.Path(t, "testdata/models/stories260K.gguf"), Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func generate(t *testing.T, e *Engine, prompt []int32, n int) ([]int32, string, Stats) {
	t.Helper()
	var toks []int32
	var text string
	st, err := e.Generate(context.Background(), Request{Prompt: prompt, MaxTokens: n}, func(c Chunk) error {
		if c.Token >= 0 {
			toks = append(toks, c.Token)
		}
		text += c.Text
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return toks, text, st
}

func TestGenerateGreedy(t *testing.T) {
	e := loadStories(t)
	prompt := e.Tokenizer().Encode("Once upon a time", true, false)
	if want := []int32{1, 403, 407, 261, 378}; !slices.Equal(prompt, want) {
		t.Fatalf("prompt tokens %v, llama.cpp %v", prompt, want)
	}
	toks, text, st := generate(t, e, prompt, 12)
	want := []int32{432, 383, 286, 261, 376, 298, 315, 421, 395, 317}
	if !slices.Equal(toks[:10], want) {
		t.Errorf("tokens %v, llama.cpp %v", toks, want)
	}
	if got, wantText := text[:len(", there was a little girl named Lily.")], ", there was a little girl named Lily."; got != wantText {
		t.Errorf("text %q, want prefix %q", text, wantText)
	}
	if st.Generated != 12 || st.StopReason != StopMaxTokens || st.CachedTokens != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestPrefixReuse checks that a second request extending the first reuses
// the cache and gives the same tokens as a fresh engine.
func TestPrefixReuse(t *testing.T) {
	e := loadStories(t)
	first := e.Tokenizer().Encode("Once upon a time", true, false)
	toks, _, _ := generate(t, e, first, 8)
	second := append(append([]int32{}, first...), toks...)
	second = append(second, e.Tokenizer().Encode(" The dog", false, false)...)
	got, _, st := generate(t, e, second, 8)
	if st.CachedTokens != len(first)+len(toks)-1 {
		t.Errorf("cached %d tokens, want %d", st.CachedTokens, len(first)+len(toks)-1)
	}
	fresh := loadStories(t)
	want, _, _ := generate(t, fresh, second, 8)
	if !slices.Equal(got, want) {
		t.Errorf("with reuse %v, fresh %v", got, want)
	}
	// A diverging prompt drops the rest of the cache.
	third := append(append([]int32{}, first[:3]...), 300, 301)
	got, _, st = generate(t, e, third, 4)
	want, _, _ = generate(t, loadStories(t), third, 4)
	if st.CachedTokens != 3 || !slices.Equal(got, want) {
		t.Errorf("diverging prompt: cached %d, tokens %v, fresh %v", st.CachedTokens, got, want)
	}
}

func TestSeededSamplingReproducible(t *testing.T) {
	e := loadStories(t)
	prompt := e.Tokenizer().Encode("The cat", true, false)
	run := func(seed uint64) []int32 {
		var toks []int32
		p := sample.Defaults()
		p.Seed = seed
		_, err := e.Generate(context.Background(), Request{Prompt: prompt, MaxTokens: 30, Sampling: p}, func(c Chunk) error {
			toks = append(toks, c.Token)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return toks
	}
	a, b, c := run(7), run(7), run(8)
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different tokens:\n%v\n%v", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("seeds 7 and 8 gave the same 30 tokens %v", a)
	}
}

func TestCancel(t *testing.T) {
	e := loadStories(t)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := e.Generate(ctx, Request{Prompt: []int32{1}, MaxTokens: 100}, func(c Chunk) error {
		n++
		if n == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 3 {
		t.Errorf("err %v after %d tokens", err, n)
	}
	stop := errors.New("enough")
	_, err = e.Generate(context.Background(), Request{Prompt: []int32{1}}, func(Chunk) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("callback error not returned: %v", err)
	}
}

func TestContextFull(t *testing.T) {
	e, err := Load(testshared.Path(t, "testdata/models/stories260K.gguf"), Options{ContextLength: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	st, err := e.Generate(context.Background(), Request{Prompt: []int32{1, 403}}, func(Chunk) error { return nil })
	if err != nil || st.StopReason != StopContext || st.Generated != 15 {
		t.Errorf("stats %+v, err %v", st, err)
	}
	if _, err := e.Generate(context.Background(), Request{Prompt: make([]int32, 16)}, func(Chunk) error { return nil }); err == nil {
		t.Error("a prompt as long as the context was accepted")
	}
}

// TestDecodeAllocs checks that a generation step — the forward pass of one
// token and sampling — allocates nothing.
func TestDecodeAllocs(t *testing.T) {
	e := loadStories(t)
	generate(t, e, []int32{1, 403}, 1)
	s := sample.New(sample.Params{Temperature: 0.8, TopK: 40, TopP: 0.95, MinP: 0.05, RepeatPenalty: 1.1, RepeatLastN: 64, Seed: 1})
	tok := e.pick(s, nil, nil, 1)
	allocs := testing.AllocsPerRun(50, func() {
		if e.seq.Len() >= e.ctxLen-1 {
			e.seq.Truncate(2)
			e.history = e.history[:2]
		}
		if err := e.step(tok); err != nil {
			t.Fatal(err)
		}
		tok = e.pick(s, nil, nil, 1)
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per generated token, want 0", allocs)
	}
}

func TestPromptProgress(t *testing.T) {
	e := loadStories(t)
	prompt := make([]int32, 600)
	for i := range prompt {
		prompt[i] = int32(3 + i%500)
	}
	prompt[0] = 1
	var calls [][2]int
	_, err := e.Generate(context.Background(), Request{Prompt: prompt, MaxTokens: 1, OnPrompt: func(done, total int) {
		calls = append(calls, [2]int{done, total})
	}}, func(Chunk) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]int{{0, 600}, {256, 600}, {512, 600}, {600, 600}}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("progress %v, want %v", calls, want)
	}
}
