package grammar

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const arithGBNF = `# arithmetic
root  ::= expr
expr  ::= term (ws [-+] ws term)*
term  ::= factor (ws [*/] ws factor)*
factor ::= number | "(" ws expr ws ")" | "-" factor
number ::= [0-9]+ ("." [0-9]+)?
ws ::= [ ]?
`

// matches reports whether text is a complete sentence of g.
func matches(t *testing.T, g *Grammar, text string) bool {
	t.Helper()
	m := NewMatcher(g)
	if err := m.Accept([]byte(text)); err != nil {
		return false
	}
	return m.CanEnd()
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		yes, no   []string
	}{
		{"arith", arithGBNF,
			[]string{"1", "1+2", "(1 + 2) * -3.5", "((4))", "1.25/7"},
			[]string{"", "1+", "(1", "1..2", "a", "1 +  2"}},
		{"literal", `root ::= "héllo" " " "wörld"`, []string{"héllo wörld"}, []string{"hello world", "héllo", "héllo wörld!"}},
		{"class", `root ::= [a-cx\u00e9-\u00ea]+`, []string{"abc", "x", "éê", "aéx"}, []string{"", "d", "ë", "A"}},
		{"negated", `root ::= "\"" [^"\\]* "\""`, []string{`""`, `"abc"`, `"日本"`, "\"\U0001F600\""}, []string{`"a"b"`, `"\"`, `"`}},
		{"dot", `root ::= . . .`, []string{"abc", "日本語", "a\nb"}, []string{"ab", "abcd"}},
		{"repeat", `root ::= "a"{2,4} "b"{3} "c"{2,} "d"{,1}`, []string{"aabbbcc", "aaaabbbccccd"}, []string{"abbbcc", "aaaaabbbcc", "aabbbc", "aabbbccdd"}},
		{"optional", `root ::= "x" ("y" | "z")? "w"`, []string{"xw", "xyw", "xzw"}, []string{"xyzw", "x"}},
		{"escapes", `root ::= "\x41\u00e9\U0001F600\t\n\\\"" [\x00-\x1f]`, []string{"Aé\U0001F600\t\n\\\"\x01"}, []string{"Aé"}},
		{"multiline", "root ::=\n  \"a\"\n  | \"b\" # comment\n  | (\n \"c\"\n \"d\" )\n", []string{"a", "b", "cd"}, []string{"c", "ab"}},
		{"empty-alt", `root ::= "a" | `, []string{"a", ""}, []string{"b"}},
		{"right-recursion", "root ::= \"(\" root \")\" | \"x\"", []string{"x", "((x))"}, []string{"(x", "()"}},
		{"nullable-prefix", "root ::= a \"x\"\na ::= \"y\"?", []string{"x", "yx"}, []string{"yyx"}},
		{"surrogates-excluded", `root ::= [^a]`, []string{"b", "\uFFFD"}, []string{"a", "\xed\xa0\x80", "\xc0\x80"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := Parse(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.yes {
				if !matches(t, g, s) {
					t.Errorf("%q: rejected, want accepted", s)
				}
			}
			for _, s := range tc.no {
				if matches(t, g, s) {
					t.Errorf("%q: accepted, want rejected", s)
				}
			}
		})
	}
}

func TestPartialUTF8(t *testing.T) {
	g, err := Parse(`root ::= "é" [\u4e00-\u9fff] "x"`)
	if err != nil {
		t.Fatal(err)
	}
	text := []byte("é日x")
	for i := range text {
		m := NewMatcher(g)
		if !m.Allows(text[:i]) {
			t.Fatalf("prefix % x refused", text[:i])
		}
		for _, c := range text {
			if err := m.Accept([]byte{c}); err != nil {
				t.Fatalf("byte by byte: %v", err)
			}
		}
		if !m.CanEnd() || !m.Ended() {
			t.Fatal("not ended after the whole text")
		}
	}
	m := NewMatcher(g)
	if m.Allows([]byte{0xC3, 0xA8}) { // è shares é's first byte
		t.Error("è allowed")
	}
	if !m.Allows([]byte{0xC3}) {
		t.Error("first byte of é refused")
	}
	if m.Allows([]byte{0xC3, 0xA9, 0xE3}) { // U+3xxx: outside the CJK range
		t.Error("lead byte E3 allowed")
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`root ::= "abc`, "line 1, column 10: unterminated string literal"},
		{"root ::= a\n", `line 1, column 10: rule "a" is not defined`},
		{"x ::= \"a\"", `no rule named "root"`},
		{"root ::= [b-a]", "line 1, column 11: character range 'b'-'a' is reversed"},
		{"root ::= \"a\"\nroot ::= \"b\"", "line 2, column 1: rule \"root\" is defined twice (first at 1:1)"},
		{"root ::= (\"a\"", "expected \")\""},
		{"root = \"a\"", `line 1, column 6: expected "::=" after rule name "root"`},
		{"root ::= \"\\q\"", `line 1, column 11: unknown escape "\q"`},
		{"root ::= \"a\"{3,2}", "the maximum is below the minimum"},
		{"root ::= \"a\"{99999}", "above the limit"},
		{"root ::= [^\\x00-\\U0010FFFF]", "matches nothing"},
		{"root ::= \"a\" )", `unexpected ')' in rule "root"`},
		{"root ::= expr\nexpr ::= expr \"+\" num | num\nnum ::= [0-9]", `2:1: rule "expr" is left-recursive (expr -> expr)`},
		{"root ::= a\na ::= b? c\nb ::= \"x\"\nc ::= a \"y\"", "left-recursive"},
		{"root ::= (\"a\"?)*", "1:10: a repeated expression can match empty text"},
		{"root ::= <think>", "token references"},
	} {
		_, err := Parse(tc.src)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want error containing %q", tc.src, err, tc.want)
		}
	}
	_, err := Parse("root ::= root \"a\"")
	if !errors.Is(err, ErrLeftRecursion) {
		t.Errorf("left recursion: %v does not wrap ErrLeftRecursion", err)
	}
	var se *SyntaxError
	if _, err := Parse("root ::= ["); !errors.As(err, &se) || se.Line != 1 {
		t.Errorf("unterminated class: %v is not a *SyntaxError", err)
	}
}

// TestManyPaths: 2^40 paths lead to the one terminal; expansion must not
// follow each.
func TestManyPaths(t *testing.T) {
	var b strings.Builder
	b.WriteString("root ::= r0\n")
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, "r%d ::= r%d | r%d \"\"\n", i, i+1, i+1)
	}
	b.WriteString("r40 ::= \"x\"\n")
	g, err := Parse(b.String())
	if err != nil {
		t.Fatal(err)
	}
	if !matches(t, g, "x") || matches(t, g, "xx") {
		t.Fatal("wrong language")
	}
}
