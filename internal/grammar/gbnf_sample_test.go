package grammar

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"testing"
	"unicode/utf8"
)

// arithParser is an independent recursive-descent recognizer for
// testdata/gbnf/arithmetic.gbnf.
type arithParser struct {
	s     string
	i     int
	depth int
}

func (p *arithParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *arithParser) ws() { p.eat(' ') }

func (p *arithParser) expr() error {
	if err := p.term(); err != nil {
		return err
	}
	for {
		save := p.i
		p.ws()
		if !p.eat('+') && !p.eat('-') {
			p.i = save
			return nil
		}
		p.ws()
		if err := p.term(); err != nil {
			return err
		}
	}
}

func (p *arithParser) term() error {
	if err := p.factor(); err != nil {
		return err
	}
	for {
		save := p.i
		p.ws()
		if !p.eat('*') && !p.eat('/') {
			p.i = save
			return nil
		}
		p.ws()
		if err := p.factor(); err != nil {
			return err
		}
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *arithParser) factor() error {
	if p.eat('(') {
		if p.depth == 2 {
			return fmt.Errorf("offset %d: parentheses too deep", p.i)
		}
		p.depth++
		p.ws()
		if err := p.expr(); err != nil {
			return err
		}
		p.ws()
		if !p.eat(')') {
			return fmt.Errorf("offset %d: want )", p.i)
		}
		p.depth--
		return nil
	}
	p.eat('-')
	start := p.i
	for p.i < len(p.s) && isDigit(p.s[p.i]) {
		p.i++
	}
	n := p.i - start
	if n == 0 || n > 6 || n > 1 && p.s[start] == '0' {
		return fmt.Errorf("offset %d: bad number", start)
	}
	if p.eat('.') {
		start = p.i
		for p.i < len(p.s) && isDigit(p.s[p.i]) {
			p.i++
		}
		if n := p.i - start; n == 0 || n > 3 {
			return fmt.Errorf("offset %d: bad fraction", start)
		}
	}
	return nil
}

func checkArith(s string) error {
	p := &arithParser{s: s}
	if err := p.expr(); err != nil {
		return err
	}
	if p.i != len(s) {
		return fmt.Errorf("offset %d: trailing text", p.i)
	}
	return nil
}

func TestArithChecker(t *testing.T) {
	for s, ok := range map[string]bool{"1": true, "-2 + (3.5*(4))": true, "((1))": true, "(((1)))": false, "--1": false, "01": false, "1 +": false, "(1": false, "1  + 2": false} {
		if got := checkArith(s) == nil; got != ok {
			t.Errorf("checkArith(%q) ok = %v, want %v", s, got, ok)
		}
	}
}

func TestRandomModelGBNF(t *testing.T) {
	_, toks := qwenVocab(t)
	listRE := regexp.MustCompile(`^(- [a-zA-Z0-9]{1,12}( [a-zA-Z0-9]{1,12}){0,4}\n){1,5}$`)
	for _, tc := range []struct {
		file  string
		check func(string) error
	}{
		{"arithmetic", checkArith},
		{"list", func(s string) error {
			if !listRE.MatchString(s) {
				return fmt.Errorf("not a list")
			}
			return nil
		}},
		{"json", func(s string) error {
			var v map[string]any
			if !utf8.ValidString(s) {
				return fmt.Errorf("invalid UTF-8")
			}
			return json.Unmarshal([]byte(s), &v)
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			src, err := os.ReadFile("testdata/gbnf/" + tc.file + ".gbnf")
			if err != nil {
				t.Fatal(err)
			}
			g, err := Parse(string(src))
			if err != nil {
				t.Fatal(err)
			}
			total := 0
			for seed := range uint64(seeds) {
				out, steps, ok := generate(t, g, toks, seed, 100000)
				total += steps
				if !ok {
					t.Fatalf("seed %d: unfinished after %d tokens: %.300q", seed, steps, out)
				}
				if err := tc.check(string(out)); err != nil {
					t.Fatalf("seed %d: %v: %q", seed, err, out)
				}
				if seed == 0 && testing.Verbose() {
					t.Logf("seed 0: %.500q", out)
				}
			}
			t.Logf("%d seeds, %.1f tokens each on average", seeds, float64(total)/seeds)
		})
	}
}
