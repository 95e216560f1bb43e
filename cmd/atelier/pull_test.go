package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/models/hubtest"
	"github.com/atelier-dev/atelier/internal/tensor"
)

// tinyModel returns the bytes of a small but well-formed GGUF model.
func tinyModel(t *testing.T) []byte {
	t.Helper()
	b := gguf.NewBuilder()
	b.Set("general.architecture", "qwen2")
	b.Set("general.name", "Tiny Coder")
	b.Set("general.license", "apache-2.0")
	b.Set("general.file_type", uint32(15))
	b.Set("qwen2.block_count", uint32(2))
	b.Set("qwen2.context_length", uint32(4096))
	b.Set("qwen2.embedding_length", uint32(64))
	b.Set("qwen2.attention.head_count", uint32(4))
	b.Set("qwen2.attention.head_count_kv", uint32(2))
	b.Set("tokenizer.ggml.tokens", []string{"a", "b", "c"})
	b.Set("tokenizer.chat_template", "{% for m in messages %}{{ m.content }}{% endfor %}")
	if err := b.AddTensor("token_embd.weight", tensor.F32, []int64{64, 3}, bytes.Repeat([]byte{1}, 64*3*4)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	cliRepo = "acme/Tiny-Coder-GGUF"
	cliFile = "tiny-coder-Q4_K_M.gguf"
)

// modelsEnv starts a fake hub and points atelier at it and at an empty
// models folder.
func modelsEnv(t *testing.T) (*hubtest.Hub, string) {
	t.Helper()
	hub := hubtest.New()
	t.Cleanup(hub.Close)
	hub.Add(cliRepo, cliFile, tinyModel(t))
	dir := t.TempDir()
	t.Setenv("HF_ENDPOINT", hub.URL)
	t.Setenv("HF_TOKEN", "")
	t.Setenv("ATELIER_MODELS", dir)
	t.Setenv("ATELIER_OFFLINE", "")
	return hub, dir
}

func runModelsCmd(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = mainArgs(args, stdio{strings.NewReader(""), &out, &errb})
	return code, out.String(), errb.String()
}

func TestPullListShowRemove(t *testing.T) {
	_, dir := modelsEnv(t)
	code, out, errs := runModelsCmd("pull", "hf.co/"+cliRepo+":q4_k_m")
	if code != 0 || !strings.Contains(out, "installed hf.co/"+cliRepo+"/"+cliFile) || !strings.Contains(errs, "pulling") {
		t.Fatalf("pull: %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, cliRepo, cliFile)); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runModelsCmd("pull", "hf.co/"+cliRepo+"/"+cliFile); code != 0 || !strings.Contains(out, "already installed") {
		t.Errorf("second pull: %d %s", code, out)
	}

	code, out, _ = runModelsCmd("models")
	if code != 0 || !strings.Contains(out, "NAME") || !lineHasAll(out, "hf.co/"+cliRepo+"/"+cliFile, "qwen2", "Q4_K_M", "4K") {
		t.Errorf("models: %d\n%s", code, out)
	}

	code, out, errs = runModelsCmd("show", "hf.co/"+cliRepo+":Q4_K_M")
	for _, want := range []string{"Tiny Coder", "license:      apache-2.0", "{% for m in messages %}", "context:      4K (4096 tokens)"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("show lacks %q: %d\n%s%s", want, code, out, errs)
		}
	}

	if code, out, errs := runModelsCmd("rm", "hf.co/"+cliRepo+"/"+cliFile); code != 0 || !strings.Contains(out, "removed") {
		t.Errorf("rm: %d %s %s", code, out, errs)
	}
	if code, out, _ := runModelsCmd("models"); code != 0 || !strings.Contains(out, "no models installed") {
		t.Errorf("models after rm: %s", out)
	}
	if code, _, errs := runModelsCmd("rm", "hf.co/"+cliRepo+"/"+cliFile); code == 0 || !strings.Contains(errs, "not installed") {
		t.Errorf("rm of a missing model: %d %s", code, errs)
	}
}

// lineHasAll reports whether one line of out holds all the words.
func lineHasAll(out string, words ...string) bool {
	for line := range strings.SplitSeq(out, "\n") {
		all := true
		for _, w := range words {
			all = all && strings.Contains(line, w)
		}
		if all {
			return true
		}
	}
	return false
}

// TestPullFailures checks that each failure gives one clear sentence and a
// non-zero exit, and leaves no model file.
func TestPullFailures(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		setup func(t *testing.T, h *hubtest.Hub)
		words string
	}{
		{"404", []string{"pull", "hf.co/" + cliRepo + "/missing-Q8_0.gguf"}, nil, "404 Not Found"},
		{"no such quant", []string{"pull", "hf.co/" + cliRepo + ":Q8_0"}, nil, "has no Q8_0 file; it has q4_k_m"},
		{"401 without token", []string{"pull", "hf.co/" + cliRepo + ":Q4_K_M"},
			func(t *testing.T, h *hubtest.Hub) { h.Token = "hf_secret" }, "set HF_TOKEN"},
		{"full disk", []string{"pull", "hf.co/" + cliRepo + "/" + cliFile},
			func(t *testing.T, h *hubtest.Hub) { h.AdvertiseSize = 1 << 60 }, "not enough disk space"},
		{"slow server", []string{"pull", "--stall-timeout", "200ms", "hf.co/" + cliRepo + "/" + cliFile},
			func(t *testing.T, h *hubtest.Hub) { h.Stall = true }, "sent nothing for 200ms"},
		{"bad checksum", []string{"pull", "hf.co/" + cliRepo + "/" + cliFile},
			func(t *testing.T, h *hubtest.Hub) { h.WrongSHA = true }, "failed its SHA-256 check"},
		{"offline", []string{"pull", "qwen2.5-coder:1.5b"},
			func(t *testing.T, h *hubtest.Hub) { t.Setenv("ATELIER_OFFLINE", "1") }, "ATELIER_OFFLINE is set"},
		{"unknown name", []string{"pull", "gpt-17"}, nil, "not in the catalog"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hub, dir := modelsEnv(t)
			if tc.setup != nil {
				hub.Set(func(h *hubtest.Hub) { tc.setup(t, h) })
			}
			code, out, errs := runModelsCmd(tc.args...)
			if code == 0 {
				t.Fatalf("exit 0; stdout %q", out)
			}
			lines := strings.Split(strings.TrimRight(errs, "\n"), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "atelier: models: ") || !strings.Contains(last, tc.words) {
				t.Errorf("stderr ends with %q, want one sentence saying %q", last, tc.words)
			}
			for _, l := range lines[:len(lines)-1] {
				if strings.HasPrefix(l, "atelier:") {
					t.Errorf("more than one error line: %q", errs)
				}
			}
			filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
				if err == nil && strings.HasSuffix(p, ".gguf") {
					t.Errorf("a model file was left: %s", p)
				}
				return nil
			})
		})
	}
}
