package template

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/testshared"
)

// The goldens in testdata/golden are rendered by Python's jinja2 set up as
// Hugging Face transformers sets it up (testdata/gen.py, run by hand).
// Python is the reference, so unlike other goldens in this project these
// have no -update flag: a difference is a bug here, never a new truth.

// goldenNow is the clock gen.py gives strftime_now.
var goldenNow = time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC)

type goldenCase struct {
	Messages []chat.Message `json:"messages"`
	Tools    []chat.Tool    `json:"tools"`
}

func loadCases(t testing.TB) map[string]goldenCase {
	t.Helper()
	paths, err := filepath.Glob("testdata/cases/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no cases in testdata/cases: %v", err)
	}
	cases := map[string]goldenCase{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var c goldenCase
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		cases[strings.TrimSuffix(filepath.Base(p), ".json")] = c
	}
	return cases
}

// goldenSource is a template the goldens were rendered from.
type goldenSource struct {
	stem, src, bos, eos string
}

// goldenSources lists, as gen.py does, the shared templates, the fallback
// and the templates inside the shared vocab files.
func goldenSources(t *testing.T) []goldenSource {
	t.Helper()
	dir := testshared.Path(t, "testdata/templates")
	paths, err := filepath.Glob(filepath.Join(dir, "*.jinja"))
	if err != nil || len(paths) < 5 {
		t.Fatalf("want the 5 shared templates, found %d (%v)", len(paths), err)
	}
	var tokens map[string]struct{ BOS, EOS string }
	data, err := os.ReadFile("testdata/tokens.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &tokens); err != nil {
		t.Fatal(err)
	}
	var out []goldenSource
	for _, p := range append(paths, "fallback.jinja") {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		stem := strings.TrimSuffix(filepath.Base(p), ".jinja")
		if stem == "fallback" && string(src) != FallbackSource() {
			t.Fatal("fallback.jinja is not the source of Fallback")
		}
		out = append(out, goldenSource{stem, string(src), tokens[stem].BOS, tokens[stem].EOS})
	}
	vocabs, err := filepath.Glob(filepath.Join(filepath.Dir(dir), "vocab", "*.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range vocabs {
		f, err := gguf.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		src, ok := f.String("tokenizer.chat_template")
		if ok && src != "" {
			toks, _ := f.Strings("tokenizer.ggml.tokens")
			text := func(key string) string {
				id, ok := f.Uint(key)
				if !ok || id >= uint64(len(toks)) {
					return ""
				}
				return toks[id]
			}
			stem := "vocab-" + strings.TrimPrefix(strings.TrimSuffix(filepath.Base(p), ".gguf"), "ggml-vocab-")
			out = append(out, goldenSource{stem, src, text("tokenizer.ggml.bos_token_id"), text("tokenizer.ggml.eos_token_id")})
		}
		f.Close()
	}
	return out
}

func TestGolden(t *testing.T) {
	cases := loadCases(t)
	compared := 0
	for _, gs := range goldenSources(t) {
		stem := gs.stem
		tmpl, err := New(gs.src)
		if err != nil {
			t.Errorf("%s: %v", stem, err)
			continue
		}
		for name, c := range cases {
			for _, gen := range []bool{false, true} {
				for _, think := range []*bool{nil, ptr(true), ptr(false)} {
					thinkName := "none"
					if think != nil {
						thinkName = fmt.Sprint(*think)
					}
					golden := filepath.Join("testdata/golden", stem, fmt.Sprintf("%s-gen%d-think%s", name, b2i(gen), thinkName))
					t.Run(strings.TrimPrefix(golden, "testdata/golden/"), func(t *testing.T) {
						got, err := tmpl.Render(Request{
							Messages:            c.Messages,
							Tools:               c.Tools,
							AddGenerationPrompt: gen,
							EnableThinking:      think,
							BOS:                 gs.bos,
							EOS:                 gs.eos,
							Now:                 goldenNow,
						})
						if want, rerr := os.ReadFile(golden + ".err"); rerr == nil {
							msg := strings.TrimSpace(string(want))
							if !errors.Is(err, ErrRaised) || !strings.Contains(err.Error(), msg) {
								t.Fatalf("got (%q, %v); want the template to raise %q", got, err, msg)
							}
							return
						}
						want, rerr := os.ReadFile(golden + ".txt")
						if rerr != nil {
							t.Fatalf("no golden (run testdata/gen.py): %v", rerr)
						}
						if err != nil {
							t.Fatalf("Render: %v", err)
						}
						if got != string(want) {
							t.Errorf("differs from jinja2 at byte %d:\n%s", firstDiff(got, string(want)), diffContext(got, string(want)))
						}
					})
					compared++
				}
			}
		}
	}
	if compared < 400 {
		t.Errorf("compared %d renders, want at least 400", compared)
	}
}

func ptr[T any](v T) *T { return &v }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func firstDiff(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

func diffContext(got, want string) string {
	i := firstDiff(got, want)
	lo := max(0, i-80)
	cut := func(s string) string { return s[min(lo, len(s)):min(i+80, len(s))] }
	return fmt.Sprintf("got:  %q\nwant: %q", cut(got), cut(want))
}
