package main

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/testshared"
)

// runMain runs the atelier command line in process.
func runMain(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = mainArgs(args, stdio{strings.NewReader(stdin), &out, &errb})
	return code, out.String(), errb.String()
}

// TestRunGreedyGolden checks `atelier run` against llama.cpp's greedy
// continuation of the shipped model: the continuation only, on stdout;
// timing on stderr.
func TestRunGreedyGolden(t *testing.T) {
	model := testshared.Path(t, "testdata/models/stories260K.gguf")
	data, err := os.ReadFile(testshared.Path(t, "testdata/models/stories260K.once-upon-a-time.greedy.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct{ Text string }
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runMain(t, "", "run", "--model", model, "--temp", "0", "--max-tokens", "60", "Once upon a time")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if out != g.Text+"\n" {
		t.Errorf("stdout\n%q\nllama.cpp\n%q", out, g.Text)
	}
	if !strings.Contains(errs, "generated 60 tokens") || !strings.Contains(errs, "tok/s") {
		t.Errorf("stderr has no timing: %q", errs)
	}
}

func TestRunErrors(t *testing.T) {
	model := testshared.Path(t, "testdata/models/stories260K.gguf")
	notGGUF := t.TempDir() + "/x.gguf"
	os.WriteFile(notGGUF, []byte("hello, world"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "hello"}, "--model is required"},
		{[]string{"run", "--model", notGGUF, "hi"}, "not a GGUF file"},
		{[]string{"run", "--model", model, "--bogus", "hi"}, "flag provided but not defined"},
		{[]string{"inspect"}, "give one GGUF file"},
		{[]string{"inspect", notGGUF}, "not a GGUF file"},
	} {
		code, _, errs := runMain(t, "", tc.args...)
		if code == 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want non-zero and %q", tc.args, code, errs, tc.want)
		}
	}
}

func TestInspect(t *testing.T) {
	model := testshared.Path(t, "testdata/models/stories260K.gguf")
	code, out, errs := runMain(t, "", "inspect", model)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"architecture:   llama",
		"parameters:     292.8K (292800)",
		"tensors:        48: F32×48",
		"context:        2048",
		"vocabulary:     512 tokens (llama)",
		"chat template:  absent",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}
}

// TestRunConstrained checks that --grammar and --json-schema hold the
// output of the real model to the grammar, whatever the seed.
func TestRunConstrained(t *testing.T) {
	model := testshared.Path(t, "testdata/models/stories260K.gguf")
	dir := t.TempDir()
	gbnf := dir + "/list.gbnf"
	os.WriteFile(gbnf, []byte("root ::= item (\", \" item){2,4} \".\"\nitem ::= [a-z]+\n"), 0o644)
	schema := dir + "/person.json"
	os.WriteFile(schema, []byte(`{"type":"object","properties":{"name":{"type":"string","maxLength":12},"age":{"type":"integer","minimum":0,"maximum":120}},"required":["name","age"]}`), 0o644)
	list := regexp.MustCompile(`^[a-z]+(, [a-z]+){2,4}\.\n$`)
	for seed := range 5 {
		s := strconv.Itoa(seed + 1)
		code, out, errs := runMain(t, "", "run", "--model", model, "--grammar", gbnf, "--seed", s, "--max-tokens", "200", "Once upon a time")
		if code != 0 || !list.MatchString(out) {
			t.Errorf("grammar, seed %s: exit %d, output %q, stderr %q", s, code, out, errs)
		}
		code, out, errs = runMain(t, "", "run", "--model", model, "--json-schema", schema, "--seed", s, "--max-tokens", "200", "Once upon a time")
		var v struct {
			Name *string
			Age  *int
		}
		if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v.Name == nil || v.Age == nil || *v.Age < 0 || *v.Age > 120 || len([]rune(*v.Name)) > 12 {
			t.Errorf("schema, seed %s: exit %d, output %q, stderr %q", s, code, out, errs)
		}
	}
	bad := dir + "/bad.gbnf"
	os.WriteFile(bad, []byte("root ::= root \"a\"\n"), 0o644)
	code, _, errs := runMain(t, "", "run", "--model", model, "--grammar", bad, "x")
	if code == 0 || !strings.Contains(errs, "left-recursive") {
		t.Errorf("a left-recursive grammar: exit %d, %q", code, errs)
	}
}
