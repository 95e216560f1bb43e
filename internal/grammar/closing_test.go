package grammar

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMinLength(t *testing.T) {
	tests := []struct {
		src  string
		want int
	}{
		{`root ::= "abc"`, 3},
		{`root ::= "abc" | "x"`, 1},
		{`root ::= "a"*`, 0},
		{`root ::= "a"+ "b"?`, 1},
		{`root ::= [é]`, 2},
		{`root ::= [日]`, 3},
		{`root ::= [😀]`, 4},
		{`root ::= a a
a ::= "(" a ")" | "x"`, 2},
		{`root ::= "{" ws "}"
ws ::= [ \t]*`, 2},
		{`root ::= loop | "ok"
loop ::= "(" loop`, 2},
		{`root ::= loop
loop ::= "(" loop`, -1},
		{`root ::= "a"{3,5}`, 3},
	}
	for _, tt := range tests {
		g, err := Parse(tt.src)
		if err != nil {
			t.Fatalf("%q: %v", tt.src, err)
		}
		if got := g.MinLength(); got != tt.want {
			t.Errorf("%q: MinLength = %d, want %d", tt.src, got, tt.want)
		}
	}
}

func TestRemaining(t *testing.T) {
	g, err := Parse(`root ::= "{" ws "\"k\":" ws str ws "}"
str ::= "\"" [^"]* "\""
ws ::= " "*`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		prefix string
		want   int
	}{
		{``, 8},                 // {"k":""}
		{`{`, 7},                //
		{`{  `, 7},              // blanks are free
		{`{"k":`, 3},            // ""}
		{`{"k": "abc`, 2},       // "}
		{"{\"k\": \"ab\xc3", 3}, // the rest of é, then "}
		{`{"k":""`, 1},
		{`{"k":"" }`, 0},
	}
	for _, tt := range tests {
		m := NewMatcher(g)
		if err := m.Accept([]byte(tt.prefix)); err != nil {
			t.Fatalf("%q: %v", tt.prefix, err)
		}
		if got := m.Remaining(); got != tt.want {
			t.Errorf("after %q: Remaining = %d, want %d", tt.prefix, got, tt.want)
		}
	}
}

// closeBytes completes m's sentence byte by byte along a shortest path,
// checking that the distance falls by one with each byte. It returns
// false if the matcher gave up on a grammar too ambiguous for it.
func closeBytes(t *testing.T, m *Matcher, what string) bool {
	t.Helper()
	for r := m.Remaining(); r > 0; r-- {
		found := false
		for b := range 256 {
			if !m.Allows([]byte{byte(b)}) {
				continue
			}
			saved := m.cur
			if err := m.Accept([]byte{byte(b)}); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if m.Remaining() == r-1 {
				found = true
				break
			}
			m.cur = saved
		}
		if !found && m.s.err != nil {
			return false // the grammar is too ambiguous for the matcher
		}
		if !found {
			t.Fatalf("%s: no byte takes the distance from %d to %d", what, r, r-1)
		}
	}
	if !m.CanEnd() {
		t.Fatalf("%s: distance 0 but the sentence is not complete", what)
	}
	return true
}

// randomGrammar writes a random ASCII grammar of a few rules.
func randomGrammar(rng *rand.Rand) string {
	var b strings.Builder
	rules := 1 + rng.IntN(4)
	atom := func(r int) string {
		switch rng.IntN(7) {
		case 0, 1:
			return fmt.Sprintf("%q", string(rune('a'+rng.IntN(4)))+string(rune('a' + rng.IntN(4)))[:1+rng.IntN(1)])
		case 2:
			return "[" + string(rune('a'+rng.IntN(3))) + "-" + string(rune('d'+rng.IntN(3))) + "]"
		case 3:
			return `[^"]`
		default:
			return fmt.Sprintf("r%d", rng.IntN(rules))
		}
	}
	for r := range rules {
		name := fmt.Sprintf("r%d", r)
		if r == 0 {
			name = "root"
		}
		fmt.Fprintf(&b, "%s ::= ", name)
		for a := range 1 + rng.IntN(3) {
			if a > 0 {
				b.WriteString(" | ")
			}
			// A literal first keeps most grammars from being left-recursive.
			fmt.Fprintf(&b, "%q", string(rune('a'+rng.IntN(5))))
			for range rng.IntN(4) {
				b.WriteString(" " + strings.ReplaceAll(atom(r), "r0", "root"))
				switch rng.IntN(6) {
				case 0:
					b.WriteString("*")
				case 1:
					b.WriteString("?")
				case 2:
					b.WriteString("+")
				}
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// checkClosing walks g at random from its start, then closes it: byte by
// byte along a shortest path, and token by token with Close within a
// budget of Remaining tokens, which must end in a complete sentence.
func checkClosing(t *testing.T, g *Grammar, toks *Tokens, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	c := NewConstraint(g, toks)
	var text []byte
	logits := make([]float32, toks.n)
	for range rng.IntN(30) {
		for i := range logits {
			logits[i] = float32(rng.NormFloat64())
		}
		c.Mask(logits)
		id := argmax(logits)
		if id < 0 || toks.eog[id] {
			break
		}
		if err := c.Accept(id); err != nil {
			if errors.Is(err, ErrTooComplex) {
				return
			}
			t.Fatal(err)
		}
		text = append(text, toks.bytes[id]...)
	}
	if c.m.s.err != nil || c.Remaining() >= inf {
		return // a dead end of a grammar that may not terminate
	}
	m := NewMatcher(g)
	if err := m.Accept(text); err != nil {
		t.Fatal(err)
	}
	if !closeBytes(t, m, fmt.Sprintf("after %q", text)) {
		return
	}

	budget := c.Remaining()
	for steps := 0; c.Remaining() > 0; steps++ {
		if steps >= budget {
			t.Fatalf("after %q: not complete within %d tokens", text, budget)
		}
		for i := range logits {
			logits[i] = float32(rng.NormFloat64())
		}
		c.Close(logits, budget-steps)
		id := argmax(logits)
		if id < 0 {
			t.Fatalf("after %q: Close allows nothing", text)
		}
		if err := c.Accept(id); err != nil {
			t.Fatal(err)
		}
		if toks.eog[id] {
			break
		}
		text = append(text, toks.bytes[id]...)
	}
	m = NewMatcher(g)
	if err := m.Accept(text); err != nil || !m.CanEnd() {
		t.Fatalf("closed output %q is not a sentence (%v)", text, err)
	}
}

func argmax(logits []float32) int32 {
	best, id := float32(math.Inf(-1)), int32(-1)
	for i, l := range logits {
		if l > best {
			best, id = l, int32(i)
		}
	}
	return id
}

func TestCloseRandomGrammars(t *testing.T) {
	toks := NewTokens(synthVocab())
	n := 0
	for seed := range uint64(300) {
		src := randomGrammar(rand.New(rand.NewPCG(seed, 1)))
		g, err := Parse(src)
		if err != nil || g.MinLength() < 0 {
			continue
		}
		n++
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			for s := range uint64(5) {
				checkClosing(t, g, toks, seed*10+s)
			}
		})
	}
	if n < 100 {
		t.Fatalf("only %d of the random grammars compile and terminate", n)
	}
}

func TestCloseSchemas(t *testing.T) {
	toks := NewTokens(synthVocab())
	for _, name := range []string{"03-nested", "16-patterns", "19-map", "22-deep"} {
		t.Run(name, func(t *testing.T) {
			g := schemaGrammar(t, name)
			for seed := range uint64(20) {
				checkClosing(t, g, toks, seed)
			}
		})
	}
}

func FuzzClose(f *testing.F) {
	toks := NewTokens(synthVocab())
	f.Add(uint64(1), uint64(2))
	f.Fuzz(func(t *testing.T, gseed, seed uint64) {
		g, err := Parse(randomGrammar(rand.New(rand.NewPCG(gseed, 1))))
		if err != nil || g.MinLength() < 0 {
			return
		}
		checkClosing(t, g, toks, seed)
	})
}

func schemaGrammar(t *testing.T, name string) *Grammar {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "schemas", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := ParseSchema(src, SchemaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestLazyClose opens calls in each format, writes some of them at random,
// and closes them: Close agrees with Fits token by token, and the call
// ends within Remaining tokens.
func TestLazyClose(t *testing.T) {
	toks := NewTokens(synthVocab())
	closed := 0
	for _, f := range []ToolFormat{ToolsHermes, ToolsLlama3, ToolsQwen3Coder} {
		opener := map[ToolFormat]string{ToolsHermes: "x <tool_call>", ToolsLlama3: "y {\"name\"", ToolsQwen3Coder: "z <function="}[f]
		for seed := range uint64(8) {
			rng := rand.New(rand.NewPCG(seed, 9))
			l, err := NewToolCalls(f, testTools, toks, SchemaOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if l.Remaining() != 0 {
				t.Fatalf("format %d: Remaining %d in free text", f, l.Remaining())
			}
			if err := feedText(l, toks, opener); err != nil {
				t.Fatal(err)
			}
			logits := make([]float32, toks.n)
			for range rng.IntN(25) {
				l.Mask(logits)
				var ok []int32
				for id := range int32(toks.n) {
					if !math.IsInf(float64(logits[id]), -1) && !toks.eog[id] {
						ok = append(ok, id)
					}
					logits[id] = 0
				}
				if len(ok) == 0 || !l.Triggered() {
					break
				}
				if err := l.Accept(ok[rng.IntN(len(ok))]); err != nil {
					t.Fatal(err)
				}
			}
			if !l.Triggered() {
				continue
			}
			budget := l.Remaining()
			closed++
			for steps := 0; l.Triggered(); steps++ {
				if steps >= budget {
					t.Fatalf("format %d seed %d: the call is not complete within %d tokens", f, seed, budget)
				}
				for i := range logits {
					logits[i] = float32(rng.NormFloat64())
				}
				l.Close(logits, budget-steps)
				for id := range int32(toks.n) {
					if kept := !math.IsInf(float64(logits[id]), -1); kept && !l.Fits(id, budget-steps) {
						t.Fatalf("format %d seed %d: Close keeps token %q, which does not fit", f, seed, toks.bytes[id])
					}
				}
				id := argmax(logits)
				if id < 0 {
					t.Fatalf("format %d seed %d: Close allows nothing", f, seed)
				}
				if err := l.Accept(id); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if closed < 12 {
		t.Errorf("only %d of 24 calls were open to close", closed)
	}
}
