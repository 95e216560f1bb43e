package grammar

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/grammar/schematest"
)

var testTools = []Tool{
	{Name: "read_file", Schema: []byte(`{"type":"object","properties":{"path":{"type":"string","maxLength":24},"offset":{"type":"integer","minimum":0,"maximum":1000}},"required":["path"]}`)},
	{Name: "run", Schema: []byte(`{"type":"object","properties":{"command":{"type":"string","maxLength":30},"timeout":{"type":"integer","minimum":1,"maximum":60},"shell":{"enum":["bash","sh"]}},"required":["command","shell"]}`)},
	{Name: "list", Schema: nil},
}

// feedText accepts text one byte-token at a time (synthVocab has every
// ASCII character as a token) and returns the first error.
func feedText(l *Lazy, toks *Tokens, text string) error {
	for i := 0; i < len(text); i++ {
		id := int32(-1)
		for j, b := range toks.bytes {
			if len(b) == 1 && b[0] == text[i] {
				id = int32(j)
				break
			}
		}
		if err := l.Accept(id); err != nil {
			return fmt.Errorf("after %q: %w", text[:i], err)
		}
	}
	return nil
}

func TestToolCallsSynthetic(t *testing.T) {
	toks := NewTokens(synthVocab())
	for _, tc := range []struct {
		name   string
		format ToolFormat
		text   string
		ok     bool
	}{
		{"hermes", ToolsHermes, "Let me look.\n<tool_call>\n{\"name\": \"read_file\", \"arguments\": {\"path\": \"a.go\"}}\n</tool_call>\nDone. <tool_call>{\"name\":\"list\",\"arguments\":{}}</tool_call>", true},
		{"hermes-unknown-tool", ToolsHermes, "<tool_call>\n{\"name\": \"delete\"", false},
		{"hermes-missing-arg", ToolsHermes, "<tool_call>\n{\"name\": \"run\", \"arguments\": {\"command\": \"ls\"}", false},
		{"hermes-bad-enum", ToolsHermes, "<tool_call>\n{\"name\": \"run\", \"arguments\": {\"command\": \"ls\", \"shell\": \"zsh", false},
		{"hermes-free-text-like-json", ToolsHermes, "{\"name\": \"anything\"} is fine outside a call", true},
		{"llama3", ToolsLlama3, "Sure. {\"name\": \"run\", \"parameters\": {\"command\": \"go test\", \"shell\": \"bash\", \"timeout\": 30}} ok", true},
		{"llama3-bad", ToolsLlama3, "{\"name\": \"run\", \"parameters\": {\"timeout\": 30", false},
		{"qwen3-coder", ToolsQwen3Coder, "I will run it.\n<tool_call>\n<function=run>\n<parameter=command>\necho \"</param\" > x\n</parameter>\n<parameter=shell>\nsh\n</parameter>\n<parameter=timeout>\n5\n</parameter>\n</function>\n</tool_call>\nThere.", true},
		{"qwen3-coder-bare-function", ToolsQwen3Coder, "<function=list>\n</function> and more", true},
		{"qwen3-coder-missing", ToolsQwen3Coder, "<tool_call>\n<function=read_file>\n</function>", false},
		{"qwen3-coder-bad-int", ToolsQwen3Coder, "<function=read_file>\n<parameter=path>\nx\n</parameter>\n<parameter=offset>\nabc", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := NewToolCalls(tc.format, testTools, toks, SchemaOptions{})
			if err != nil {
				t.Fatal(err)
			}
			err = feedText(l, toks, tc.text)
			if tc.ok && err != nil {
				t.Fatal(err)
			}
			if !tc.ok {
				if err == nil {
					t.Fatal("accepted")
				}
				if !errors.Is(err, ErrRejected) {
					t.Fatalf("%v does not wrap ErrRejected", err)
				}
			}
			if tc.ok && (l.Triggered() || !l.Allows(0)) {
				t.Errorf("after a complete call: triggered %v, end allowed %v", l.Triggered(), l.Allows(0))
			}
		})
	}
}

// TestLazyConsistency checks that Mask agrees with Allows in free and
// constrained states, including tokens that end a call and go on as text.
func TestLazyConsistency(t *testing.T) {
	toks := NewTokens(synthVocab())
	rng := rand.New(rand.NewPCG(3, 4))
	for _, f := range []ToolFormat{ToolsHermes, ToolsLlama3, ToolsQwen3Coder} {
		for run := range 6 {
			l, err := NewToolCalls(f, testTools, toks, SchemaOptions{})
			if err != nil {
				t.Fatal(err)
			}
			opener := map[ToolFormat]string{ToolsHermes: "x <tool_call>", ToolsLlama3: "y {\"name\"", ToolsQwen3Coder: "z <function="}[f]
			if run%2 == 0 {
				if err := feedText(l, toks, opener); err != nil {
					t.Fatal(err)
				}
			}
			for step := 0; step < 40; step++ {
				logits := make([]float32, toks.n)
				l.Mask(logits)
				var ok []int32
				for id := range int32(toks.n) {
					masked := math.IsInf(float64(logits[id]), -1)
					if masked == l.Allows(id) {
						t.Fatalf("format %d step %d: token %d (%q): masked %v, Allows %v", f, step, id, toks.bytes[id], masked, l.Allows(id))
					}
					if !masked && !toks.eog[id] {
						ok = append(ok, id)
					}
				}
				if len(ok) == 0 {
					break
				}
				if err := l.Accept(ok[rng.IntN(len(ok))]); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// TestRandomModelToolCalls opens a call in each format and lets a random
// model finish it over the real vocabulary: every call names a tool on
// offer and its arguments satisfy that tool's schema.
func TestRandomModelToolCalls(t *testing.T) {
	tok, toks := qwenVocab(t)
	validators := map[string]*schematest.Validator{}
	for _, tool := range testTools {
		s := tool.Schema
		if s == nil {
			s = []byte(`{"type":"object"}`)
		}
		v, err := schematest.New(s)
		if err != nil {
			t.Fatal(err)
		}
		validators[tool.Name] = v
	}
	hermes := regexp.MustCompile(`(?s)^<tool_call>\n?(.*?)\n?</tool_call>$`)
	xmlCall := regexp.MustCompile(`(?s)^(?:<tool_call>\n?)?<function=([^>]*)>\n(.*)</function>(?:\n?</tool_call>)?$`)
	xmlParam := regexp.MustCompile(`(?s)<parameter=([^>]*)>\n(.*?)\n</parameter>\n`)
	for _, tc := range []struct {
		name   string
		format ToolFormat
		opener string
	}{
		{"hermes", ToolsHermes, "I'll check.\n<tool_call>"},
		{"llama3", ToolsLlama3, `{"name"`},
		{"qwen3-coder", ToolsQwen3Coder, "Running it.\n<tool_call>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := range uint64(seeds) {
				l, err := NewToolCalls(tc.format, testTools, toks, SchemaOptions{})
				if err != nil {
					t.Fatal(err)
				}
				for _, id := range tok.Encode(tc.opener, false, false) {
					if err := l.Accept(id); err != nil {
						t.Fatal(err)
					}
				}
				if !l.Triggered() {
					t.Fatal("opener did not trigger")
				}
				start := strings.LastIndex(tc.opener, map[ToolFormat]string{ToolsHermes: "<tool_call>", ToolsLlama3: "{", ToolsQwen3Coder: "<tool_call>"}[tc.format])
				call := []byte(tc.opener[start:])
				m := &randomModel{rng: rand.New(rand.NewPCG(seed, 7)), logits: make([]float32, qwenEmbedding)}
				var extra []byte
				for steps := 0; l.Triggered(); steps++ {
					if steps > 100000 {
						t.Fatalf("seed %d: call unfinished: %.300q", seed, call)
					}
					id := m.nextLazy(l)
					if err := l.Accept(id); err != nil {
						t.Fatalf("seed %d: %v", seed, err)
					}
					if toks.eog[id] {
						break
					}
					call = append(call, toks.bytes[id]...)
				}
				// The token that ended the call may carry free text on.
				text := string(call)
				var name string
				var args any
				switch tc.format {
				case ToolsHermes, ToolsLlama3:
					if tc.format == ToolsHermes {
						i := strings.Index(text, "</tool_call>")
						if i < 0 {
							t.Fatalf("seed %d: no closing tag: %q", seed, text)
						}
						extra, text = []byte(text[i+len("</tool_call>"):]), text[:i+len("</tool_call>")]
						sm := hermes.FindStringSubmatch(text)
						if sm == nil {
							t.Fatalf("seed %d: malformed: %q", seed, text)
						}
						text = sm[1]
					} else {
						d := json.NewDecoder(strings.NewReader(text))
						var raw json.RawMessage
						if err := d.Decode(&raw); err != nil {
							t.Fatalf("seed %d: %v: %q", seed, err, text)
						}
						extra, text = []byte(text[d.InputOffset():]), string(raw)
					}
					obj, err := schematest.Decode([]byte(text))
					if err != nil {
						t.Fatalf("seed %d: %v: %q", seed, err, text)
					}
					o := obj.(map[string]any)
					key := map[ToolFormat]string{ToolsHermes: "arguments", ToolsLlama3: "parameters"}[tc.format]
					if len(o) != 2 || o[key] == nil {
						t.Fatalf("seed %d: want name and %s: %q", seed, key, text)
					}
					name, _ = o["name"].(string)
					args = o[key]
				case ToolsQwen3Coder:
					i := strings.Index(text, "</tool_call>")
					if i < 0 {
						t.Fatalf("seed %d: no closing tag: %q", seed, text)
					}
					extra, text = []byte(text[i+len("</tool_call>"):]), text[:i+len("</tool_call>")]
					sm := xmlCall.FindStringSubmatch(text)
					if sm == nil {
						t.Fatalf("seed %d: malformed: %q", seed, text)
					}
					name = sm[1]
					// Parse the parameters in order.
					params := map[string]any{}
					rest := strings.TrimPrefix(sm[2], "\n")
					for rest != "" {
						p := xmlParam.FindStringSubmatchIndex(rest)
						if p == nil || p[0] != 0 {
							t.Fatalf("seed %d: malformed parameters: %q", seed, rest)
						}
						k, val := rest[p[2]:p[3]], rest[p[4]:p[5]]
						var v any = val
						if k == "offset" || k == "timeout" {
							if v, err = schematest.Decode([]byte(val)); err != nil {
								t.Fatalf("seed %d: parameter %s: %v: %q", seed, k, err, val)
							}
						}
						params[k] = v
						rest = rest[p[1]:]
					}
					args = params
				}
				v := validators[name]
				if v == nil {
					t.Fatalf("seed %d: unknown tool %q", seed, name)
				}
				if err := v.Validate(args); err != nil {
					t.Fatalf("seed %d: %s: %v\n%s", seed, name, err, call)
				}
				if seed == 0 && testing.Verbose() {
					t.Logf("seed 0: %q then free %q", call, extra)
				}
			}
		})
	}
}

// nextLazy is randomModel.next for a lazy constraint.
func (r *randomModel) nextLazy(l *Lazy) int32 {
	for range 32 {
		id := int32(r.rng.IntN(len(r.logits)))
		if l.Allows(id) {
			return id
		}
	}
	clear(r.logits)
	l.Mask(r.logits)
	var ok []int32
	for i, x := range r.logits {
		if x == 0 {
			ok = append(ok, int32(i))
		}
	}
	return ok[r.rng.IntN(len(ok))]
}

// TestLazyEmptyGrammar: a grammar that accepts the empty text and refuses
// the trigger must let the trigger through as text (not loop on it).
func TestLazyEmptyGrammar(t *testing.T) {
	toks := NewTokens(synthVocab())
	g, err := Parse(`root ::= "" | "<x>"`)
	if err != nil {
		t.Fatal(err)
	}
	l := NewLazy(g, []string{"{", "<"}, toks)
	if err := feedText(l, toks, "a {y} and <x> b {"); err != nil {
		t.Fatal(err)
	}
	if l.Triggered() {
		t.Error("triggered at the end")
	}
}

// controlVocabTest marks the call tags as control tokens.
type controlVocabTest struct{ testVocab }

func (v controlVocabTest) IsControl(id int32) bool {
	b := v.TokenBytes(id)
	return string(b) == "<tool_call>" || string(b) == "</tool_call>"
}

// TestLazyControlTrigger: an opener spelled as a control token triggers;
// inside the call, control tokens are refused.
func TestLazyControlTrigger(t *testing.T) {
	v := controlVocabTest{synthVocab()}
	toks := NewTokens(v)
	l, err := NewToolCalls(ToolsHermes, testTools, toks, SchemaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	open, closing := int32(-1), int32(-1)
	for id := range int32(v.VocabSize()) {
		switch string(v.TokenBytes(id)) {
		case "<tool_call>":
			open = id
		case "</tool_call>":
			closing = id
		}
	}
	if err := feedText(l, toks, "ok "); err != nil {
		t.Fatal(err)
	}
	if err := l.Accept(open); err != nil {
		t.Fatal(err)
	}
	if !l.Triggered() {
		t.Fatal("control-token opener did not trigger")
	}
	if err := feedText(l, toks, `{"name": "list", "arguments": {}}`); err != nil {
		t.Fatal(err)
	}
	if l.Allows(closing) || l.Allows(open) {
		t.Error("control token allowed inside a call")
	}
}

// TestToolCallBadLengths: a string parameter whose maxLength is below its
// minLength is a bad schema in every format, the XML one included.
func TestToolCallBadLengths(t *testing.T) {
	tools := []Tool{{Name: "x", Schema: []byte(`{"type":"object","properties":{"a":{"type":"string","minLength":5,"maxLength":3}}}`)}}
	for _, f := range []ToolFormat{ToolsHermes, ToolsLlama3, ToolsQwen3Coder} {
		if _, _, err := ToolCallGBNF(f, tools, SchemaOptions{}); !errors.Is(err, ErrBadSchema) {
			t.Errorf("format %d: err = %v, want ErrBadSchema", f, err)
		}
	}
}
