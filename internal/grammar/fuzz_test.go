package grammar

import (
	"os"
	"path/filepath"
	"testing"
)

// fuzzVocab is small so that every fuzz input can afford full masks.
var fuzzVocab = NewTokens(synthVocab())

// exercise runs a compiled grammar over text with the matcher and the
// constraint, which must not panic whatever the grammar.
func exercise(t *testing.T, g *Grammar, text []byte) {
	m := NewMatcher(g)
	m.Allows(text)
	_ = m.Accept(text)
	m.CanEnd()
	m.Ended()
	c := NewConstraint(g, fuzzVocab)
	logits := make([]float32, fuzzVocab.n)
	for i := 0; i < 4 && !c.Done(); i++ {
		c.Mask(logits)
		for id := range int32(fuzzVocab.n) {
			if logits[id] == 0 && c.Allows(id) {
				if err := c.Accept(id); err != nil {
					t.Fatalf("allowed token %d refused: %v", id, err)
				}
				break
			}
		}
		clear(logits)
	}
	l := NewLazy(g, []string{"<", "{"}, fuzzVocab)
	for _, b := range text {
		l.Allows(int32(b) + 2)
		_ = l.Accept(int32(b) + 2) // tokens 2..129 are single ASCII characters
	}
	l.Mask(logits)
}

func addFiles(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), "{\"a\": [1, 2.5e3, \"x\\u00e9\"]} (1+2)*3 - a\n")
	}
}

func FuzzParse(f *testing.F) {
	addFiles(f, "testdata/gbnf/*.gbnf")
	f.Add(arithGBNF, "1+2")
	f.Add("root ::= [^\\x00-\\x7f]{2,3} \"\\U0001F600\" | . root", "é日\U0001F600")
	f.Add("root ::= a*\na ::= \"x\" | \"\"", "xx")
	f.Fuzz(func(t *testing.T, src, text string) {
		if len(src) > 4096 {
			return
		}
		g, err := Parse(src)
		if err != nil {
			return
		}
		exercise(t, g, []byte(text))
	})
}

func FuzzSchema(f *testing.F) {
	files, _ := filepath.Glob("testdata/schemas/*.json")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(string(b), `{"name": "x", "age": 3}`)
	}
	f.Add(`{"type":"string","pattern":"^(a|b[^c-e]{1,3})\\d*x?$"}`, `"ab"`)
	f.Add(`{"type":"integer","minimum":-120,"exclusiveMaximum":3000}`, `-7`)
	f.Fuzz(func(t *testing.T, schema, text string) {
		if len(schema) > 4096 {
			return
		}
		for _, lenient := range []bool{false, true} {
			src, err := SchemaGBNF([]byte(schema), SchemaOptions{Lenient: lenient})
			if err != nil {
				continue
			}
			g, err := Parse(src)
			if err != nil {
				t.Fatalf("translated grammar does not compile: %v\nschema: %s\ngrammar:\n%s", err, schema, src)
			}
			exercise(t, g, []byte(text))
		}
	})
}

func FuzzToolCalls(f *testing.F) {
	f.Add("read_file", `{"type":"object","properties":{"path":{"type":"string"},"n":{"type":"integer"}},"required":["path"]}`, "<function=read_file>\n<parameter=path>\nx\n</parameter>\n</function>")
	f.Add("run", `{"properties":{"c":{"enum":["a","b"]}}}`, `<tool_call>{"name": "run", "arguments": {"c": "a"}}</tool_call>`)
	f.Fuzz(func(t *testing.T, name, schema, text string) {
		if len(schema) > 2048 || len(name) > 64 {
			return
		}
		for _, format := range []ToolFormat{ToolsHermes, ToolsLlama3, ToolsQwen3Coder} {
			src, _, err := ToolCallGBNF(format, []Tool{{Name: name, Schema: []byte(schema)}}, SchemaOptions{})
			if err != nil {
				continue
			}
			g, err := Parse(src)
			if err != nil {
				t.Fatalf("tool-call grammar does not compile: %v\nname %q schema: %s\ngrammar:\n%s", err, name, schema, src)
			}
			exercise(t, g, []byte(text))
		}
	})
}
