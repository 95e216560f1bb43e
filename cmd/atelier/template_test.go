package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/testshared"
)

func runTemplate(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = mainArgs(append([]string{"template"}, args...), stdio{strings.NewReader(""), &out, &errb})
	return out.String(), errb.String(), code
}

// TestTemplateWire renders OpenAI-shaped requests with the shared templates
// and compares with the jinja2 renders of the same conversation made for
// internal/template (its testdata/gen.py).
func TestTemplateWire(t *testing.T) {
	dir := testshared.Path(t, "testdata/templates")
	golden := filepath.Join("..", "..", "internal", "template", "testdata", "golden")
	for _, c := range []struct {
		tmpl   string
		args   []string
		golden string
	}{
		{"Qwen-Qwen2.5-7B-Instruct", []string{"--messages", "testdata/template/request.json"}, "toolcall-nosystem-gen1-thinknone.txt"},
		{"Qwen3-Coder", []string{"--messages", "testdata/template/messages.json", "--tools", "testdata/template/tools.json"}, "toolcall-nosystem-gen1-thinknone.txt"},
		{"Qwen-Qwen3-0.6B", []string{"--messages", "testdata/template/request.json", "--no-generation-prompt"}, "toolcall-nosystem-gen0-thinknone.txt"},
		{"Qwen-Qwen3-0.6B", []string{"--messages", "testdata/template/request.json", "--thinking=false"}, "toolcall-nosystem-gen1-thinkfalse.txt"},
		{"HuggingFaceTB-SmolLM3-3B", []string{"--messages", "testdata/template/request.json", "--thinking=false"}, "toolcall-nosystem-gen1-thinkfalse.txt"},
		{"HuggingFaceTB-SmolLM3-3B", []string{"--messages", "testdata/template/request.json", "--thinking"}, "toolcall-nosystem-gen1-thinktrue.txt"},
	} {
		args := append([]string{"--template", filepath.Join(dir, c.tmpl+".jinja")}, c.args...)
		want, err := os.ReadFile(filepath.Join(golden, c.tmpl, c.golden))
		if err != nil {
			t.Fatal(err)
		}
		out, stderr, code := runTemplate(t, args...)
		if code != 0 {
			t.Errorf("%s %v: exit %d: %s", c.tmpl, c.args, code, stderr)
			continue
		}
		if out != string(want) {
			t.Errorf("%s %v:\ngot  %q\nwant %q", c.tmpl, c.args, out, want)
		}
	}
}

// writeModel writes a vocabulary-only GGUF with the given chat template
// ("" for none).
func writeModel(t *testing.T, chatTemplate string) string {
	t.Helper()
	b := gguf.NewBuilder()
	b.Set("general.architecture", "llama")
	b.Set("tokenizer.ggml.model", "gpt2")
	b.Set("tokenizer.ggml.tokens", []string{"<unk>", "<s>", "</s>", "a"})
	b.Set("tokenizer.ggml.bos_token_id", uint32(1))
	b.Set("tokenizer.ggml.eos_token_id", uint32(2))
	if chatTemplate != "" {
		b.Set("tokenizer.chat_template", chatTemplate)
	}
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTemplateModel(t *testing.T) {
	msgs := filepath.Join(t.TempDir(), "msgs.json")
	if err := os.WriteFile(msgs, []byte(`[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	model := writeModel(t, "{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}")
	out, stderr, code := runTemplate(t, "--model", model, "--messages", msgs)
	if want := "<s>[system]Be brief.</s>[user]Hi</s>[assistant]"; code != 0 || out != want {
		t.Errorf("model template: exit %d, %q (%s); want %q", code, out, stderr, want)
	}
	out, _, _ = runTemplate(t, "--model", model, "--messages", msgs, "--no-generation-prompt", "--bos", "B")
	if want := "B[system]Be brief.</s>[user]Hi</s>"; out != want {
		t.Errorf("--no-generation-prompt --bos B: %q; want %q", out, want)
	}

	out, stderr, code = runTemplate(t, "--model", writeModel(t, ""), "--messages", msgs)
	if want := "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"; code != 0 || out != want {
		t.Errorf("no template: exit %d, %q; want the ChatML fallback %q", code, out, want)
	}
	if !strings.Contains(stderr, "no chat template") {
		t.Errorf("no template: stderr %q does not say the fallback is used", stderr)
	}
}

func TestTemplateErrors(t *testing.T) {
	tmp := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `[{"role": "user", "content": "Hi"}]`)
	tmpl := write("t.jinja", `{{ messages[0].content }}`)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--template", tmpl}, "give --messages"},
		{[]string{"--messages", good}, "give --messages and one of"},
		{[]string{"--messages", good, "--template", tmpl, "--model", "x.gguf"}, "one of --model or --template"},
		{[]string{"--messages", write("bad.json", `[{"role": "user", "content": 5}]`), "--template", tmpl}, "content must be a string"},
		{[]string{"--messages", write("norole.json", `[{"content": "x"}]`), "--template", tmpl}, "message 1 has no role"},
		{[]string{"--messages", write("obj.json", `{"model": "x"}`), "--template", tmpl}, `no "messages"`},
		{[]string{"--messages", good, "--tools", write("tools.json", `{"name": "x"}`), "--template", tmpl}, "tools: want an array"},
		{[]string{"--messages", good, "--template", write("broken.jinja", `{% if %}`)}, "broken.jinja"},
		{[]string{"--messages", good, "--template", write("raise.jinja", `{{ raise_exception("no system message") }}`)}, "no system message"},
		{[]string{"--messages", good, "--template", tmpl, "--thinking=maybe"}, "want true or false"},
		{[]string{"--messages", good, "--model", filepath.Join(tmp, "missing.gguf")}, "missing.gguf"},
	} {
		out, stderr, code := runTemplate(t, c.args...)
		if code == 0 || out != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want failure mentioning %q", c.args, code, out, stderr, c.want)
		}
	}
}
