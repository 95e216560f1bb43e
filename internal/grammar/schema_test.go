package grammar

import (
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestSchemaGolden keeps the translation of each test schema in a golden
// file, so that changes to it are seen in review.
func TestSchemaGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/schemas/*.json")
	for _, f := range files {
		schema, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := SchemaGBNF(schema, SchemaOptions{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		golden := strings.TrimSuffix(f, ".json") + ".gbnf"
		if *update {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if got != string(want) {
			t.Errorf("%s: grammar differs from %s (run with -update to accept):\n%s", f, golden, got)
		}
	}
}

func TestSchemaErrors(t *testing.T) {
	for _, tc := range []struct {
		schema string
		want   string
		err    error
	}{
		{`{"type":"array","uniqueItems":true}`, `JSON Schema at #: keyword "uniqueItems"`, ErrUnsupported},
		{`{"properties":{"a":{"not":{}}}}`, `at #/properties/a: keyword "not"`, ErrUnsupported},
		{`{"$ref":"#/$defs/missing"}`, `$ref "#/$defs/missing" points to nothing`, ErrBadSchema},
		{`{"$ref":"other.json#/a"}`, `only references within the schema`, ErrUnsupported},
		{`{"type":"number","minimum":1.5}`, "minimum or maximum on a number", ErrUnsupported},
		{`{"type":"string","pattern":"(?=a)b"}`, "lookaround", ErrUnsupported},
		{`{"type":"string","pattern":"(a)\\1"}`, `escape \1`, ErrUnsupported},
		{`{"type":"string","pattern":"a^b"}`, `"^" only at the start`, ErrUnsupported},
		{`{"type":"string","pattern":"[a-"}`, "unterminated character class", ErrUnsupported},
		{`{"type":"integer","minimum":5,"maximum":2}`, "no integer lies between the bounds", ErrBadSchema},
		{`{"type":"array","minItems":3,"maxItems":1}`, "maxItems is below minItems", ErrBadSchema},
		{`{"type":"frog"}`, `unknown type "frog"`, ErrBadSchema},
		{`{"enum":[]}`, "enum must be a non-empty array", ErrBadSchema},
		{`false`, "accepts nothing", ErrUnsupported},
		{`{"allOf":[{"type":"string"}]}`, "allOf of anything but object schemas", ErrUnsupported},
		{`[1,2]`, "must be an object or a boolean", ErrBadSchema},
		{`{"type":`, "JSON Schema: unexpected EOF", nil},
	} {
		_, err := SchemaGBNF([]byte(tc.schema), SchemaOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.schema, err, tc.want)
			continue
		}
		if tc.err != nil && !errors.Is(err, tc.err) {
			t.Errorf("%s: %v does not wrap %v", tc.schema, err, tc.err)
		}
	}
	// Lenient mode skips what it cannot enforce.
	if _, err := ParseSchema([]byte(`{"type":"array","items":{"type":"number","minimum":0},"uniqueItems":true}`), SchemaOptions{Lenient: true}); err != nil {
		t.Errorf("lenient: %v", err)
	}
}

// TestIntRange checks integer ranges exhaustively around their bounds.
func TestIntRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	ptr := func(v int64) *int64 { return &v }
	cases := [][2]*int64{{nil, nil}, {ptr(0), nil}, {nil, ptr(0)}, {ptr(-1), ptr(1)}, {ptr(7), ptr(7)}, {ptr(10), ptr(99)}, {ptr(-1000), ptr(-999)}}
	for range 40 {
		a := rng.Int64N(3000) - 1500
		b := a + rng.Int64N(2000)
		switch rng.IntN(3) {
		case 0:
			cases = append(cases, [2]*int64{ptr(a), ptr(b)})
		case 1:
			cases = append(cases, [2]*int64{ptr(a), nil})
		case 2:
			cases = append(cases, [2]*int64{nil, ptr(b)})
		}
	}
	for _, c := range cases {
		g, err := Parse("root ::= " + intRange(c[0], c[1]))
		if err != nil {
			t.Fatal(err)
		}
		for v := int64(-3100); v <= 3100; v++ {
			want := (c[0] == nil || v >= *c[0]) && (c[1] == nil || v <= *c[1])
			if got := matches(t, g, strconv.FormatInt(v, 10)); got != want {
				t.Fatalf("range [%v, %v]: %d matched %v, want %v", deref(c[0]), deref(c[1]), v, got, want)
			}
		}
		for _, s := range []string{"-0", "01", "+1", "", "1.0"} {
			if matches(t, g, s) {
				t.Fatalf("range [%v, %v]: %q matched", deref(c[0]), deref(c[1]), s)
			}
		}
	}
}

func deref(p *int64) any {
	if p == nil {
		return "open"
	}
	return *p
}

// TestPattern compares translated patterns with Go's regexp on many
// strings (JSON-quoted for the grammar).
func TestPattern(t *testing.T) {
	patterns := []string{
		`^[A-Z]{2}-\d{3,4}$`, `^ab+`, `[0-9]`, `^(foo|bar)\.(baz|"q")$`, `^[\\"\n ]{1,3}x?$`,
		`^a*b?c+$`, `^(ab|a)(c|bcd)$`, `^[^a-c]{2}$`, `^\w+@\w+\.com$`, `^\s*\S+\s*$`, `x$`, `^(?:a|b)*$`,
		`^é.{0,2}$`, "^[\u4e00-\u9fff]+$", `^a|b$`, `^$`,
	}
	alphabet := []rune(`abcdxyzABQ019 -._@\"` + "\n\t" + `éê日本qo.m`)
	rng := rand.New(rand.NewPCG(7, 8))
	var inputs []string
	for range 3000 {
		n := rng.IntN(7)
		var b strings.Builder
		for range n {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		inputs = append(inputs, b.String())
	}
	inputs = append(inputs, "AB-123", "AB-12345", "abbb", "foo.baz", `bar."q"`, "\\\"", "x@y.com", "abc", "abcd", "日本", "ab", "a", "b")
	for _, p := range patterns {
		schema := `{"type":"string","pattern":` + quoteJSON(p) + `}`
		g, err := ParseSchema([]byte(schema), SchemaOptions{})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		re := regexp.MustCompile(p)
		for _, in := range inputs {
			want := re.MatchString(in)
			if got := matches(t, g, quoteJSON(in)); got != want {
				t.Errorf("pattern %s, %q: grammar says %v, regexp %v", p, in, got, want)
			}
		}
	}
}
