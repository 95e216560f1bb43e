package grammar

import (
	"math"
	"math/rand/v2"
	"testing"
)

// testVocab is a synthetic vocabulary: token 0 ends generation, token 1
// has no text, the rest are the given strings.
type testVocab []string

func (v testVocab) VocabSize() int { return len(v) + 2 }
func (v testVocab) TokenBytes(id int32) []byte {
	if id < 2 {
		return nil
	}
	return []byte(v[id-2])
}
func (v testVocab) IsEOG(id int32) bool { return id == 0 }

// synthVocab has every ASCII character, some words and punctuation runs,
// UTF-8 characters whole and split into pieces, and invalid bytes.
func synthVocab() testVocab {
	var v testVocab
	for c := 0; c < 128; c++ {
		v = append(v, string(rune(c)))
	}
	v = append(v, "true", "false", "null", "tr", "ue", "\"name\"", "\":", "\": \"", "\",", "{\"", "}", "},", "[]", "[{", "}]",
		"12", "345", ".5", "e+", "-1", "  ", "\n  ", "\n", "ab", "abc", "hello", " world", "1+2", ")*(", "é", "日本", "日",
		"\xe6", "\x97\xa5", "\xe6\x97", "\xa5", "\xc3", "\xa9", "\xff", "\xc0\x80", "\xed\xa0\x80", "\U0001F600", "\xf0\x9f", "\x98\x80",
		"\\n", "\\\"", "\\u00", "e9", "<tool_call>", "</tool_call>", "<function=", "<parameter=", "</parameter>", "</function>")
	return v
}

// checkConsistent verifies at the constraint's current state that Mask,
// Allows and Accept agree for every token.
func checkConsistent(t *testing.T, c *Constraint, g *Grammar, prefix []byte) {
	t.Helper()
	logits := make([]float32, c.t.n+5)
	c.Mask(logits)
	for id := int32(0); int(id) < len(logits); id++ {
		masked := math.IsInf(float64(logits[id]), -1)
		if int(id) >= c.t.n {
			if !masked {
				t.Fatalf("padding token %d not masked", id)
			}
			continue
		}
		allows := c.Allows(id)
		if allows == masked {
			t.Fatalf("after %q: token %d (%q): Allows=%v but masked=%v", prefix, id, c.t.bytes[id], allows, masked)
		}
		// Independent check: a fresh matcher over prefix+token.
		m := NewMatcher(g)
		want := false
		if c.t.eog[id] {
			want = m.Accept(prefix) == nil && m.CanEnd()
		} else if len(c.t.bytes[id]) > 0 {
			want = m.Accept(append(append([]byte{}, prefix...), c.t.bytes[id]...)) == nil
		}
		if want != allows {
			t.Fatalf("after %q: token %d (%q): Allows=%v, fresh matcher says %v", prefix, id, c.t.bytes[id], allows, want)
		}
	}
}

func TestConstraintConsistency(t *testing.T) {
	toks := NewTokens(synthVocab())
	for _, src := range []string{
		arithGBNF,
		`root ::= "\"" ( [^"\\] | "\\" ["\\nt] | "\\u" [0-9a-f]{4} )* "\""`,
		`root ::= [\u00e0-\u00ff\u4e00-\u9fff\U0001F600-\U0001F64F]{1,6}`,
		`root ::= "<tool_call>" "\n"? "{\"name\": \"" [a-z]+ "\"}" "</tool_call>"`,
		`root ::= ("true" | "false" | "null" | "-"? [0-9]+) ("," " "? root)?`,
	} {
		g, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for run := range 8 {
			c := NewConstraint(g, toks)
			var prefix []byte
			for step := 0; step < 30 && !c.Done(); step++ {
				checkConsistent(t, c, g, prefix)
				// Sample uniformly among allowed tokens.
				logits := make([]float32, toks.n)
				c.Mask(logits)
				var ok []int32
				for id, l := range logits {
					if !math.IsInf(float64(l), -1) {
						ok = append(ok, int32(id))
					}
				}
				if len(ok) == 0 {
					t.Fatalf("%s run %d: no token allowed after %q", src, run, prefix)
				}
				id := ok[rng.IntN(len(ok))]
				if err := c.Accept(id); err != nil {
					t.Fatal(err)
				}
				if toks.eog[id] {
					break
				}
				prefix = append(prefix, toks.bytes[id]...)
			}
		}
	}
}

func TestConstraintEnd(t *testing.T) {
	toks := NewTokens(synthVocab())
	g, _ := Parse(`root ::= "ab" "c"?`)
	c := NewConstraint(g, toks)
	if c.Allows(0) {
		t.Error("end allowed at the start")
	}
	if err := c.Accept(0); err == nil {
		t.Error("end accepted at the start")
	}
	id := func(s string) int32 {
		for i, b := range toks.bytes {
			if string(b) == s {
				return int32(i)
			}
		}
		t.Fatalf("no token %q", s)
		return -1
	}
	if err := c.Accept(id("ab")); err != nil {
		t.Fatal(err)
	}
	if !c.Allows(0) || c.Done() {
		t.Errorf("after ab: end allowed %v (want true), done %v (want false)", c.Allows(0), c.Done())
	}
	if c.Allows(1) {
		t.Error("a token with no text allowed")
	}
	if err := c.Accept(id("abc")); err == nil {
		t.Error("abc accepted after ab")
	}
	if err := c.Accept(id("c")); err != nil {
		t.Fatal(err)
	}
	if !c.Done() {
		t.Error("not done after abc")
	}
}
