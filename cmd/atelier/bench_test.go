package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/tensor"
	"github.com/atelier-dev/atelier/internal/testshared"
)

func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = mainArgs(args, stdio{strings.NewReader(""), &o, &e})
	return o.String(), e.String(), code
}

// synthModel makes a small random model with a 32000-token vocabulary.
func synthModel(t *testing.T, typ string) string {
	t.Helper()
	vocab := testshared.Path(t, "testdata/vocab/ggml-vocab-llama-spm.gguf")
	out := filepath.Join(t.TempDir(), "tiny-"+typ+".gguf")
	if _, stderr, code := runCLI(t, "synth", "--shape", "tiny-llama3", "--vocab", vocab, "--type", typ, "--seed", "3", out); code != 0 {
		t.Fatalf("synth: exit %d: %s", code, stderr)
	}
	return out
}

func tensorType(t *testing.T, path, name string) tensor.Type {
	t.Helper()
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ti, ok := f.Tensor(name)
	if !ok {
		t.Fatalf("%s: no tensor %s", path, name)
	}
	return ti.Type
}

func TestSynthQuantizeBench(t *testing.T) {
	src := synthModel(t, "Q8_0")
	if got := tensorType(t, src, "blk.0.ffn_gate.weight"); got != tensor.Q8_0 {
		t.Fatalf("synth Q8_0: ffn_gate is %v", got)
	}
	for _, c := range []struct {
		typ        string
		gate, down tensor.Type // ffn_gate of layer 0, ffn_down of layer 1 (more bits in Q4_K_M)
	}{
		{"F16", tensor.F16, tensor.F16},
		{"Q4_0", tensor.Q4_0, tensor.Q4_0},
		{"q4_k_m", tensor.Q4_K, tensor.Q6_K},
	} {
		t.Run(c.typ, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.gguf")
			stdout, stderr, code := runCLI(t, "quantize", src, out, c.typ)
			if code != 0 {
				t.Fatalf("quantize: exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout, "wrote") {
				t.Errorf("quantize printed %q", stdout)
			}
			if got := tensorType(t, out, "blk.0.ffn_gate.weight"); got != c.gate {
				t.Errorf("ffn_gate is %v, want %v", got, c.gate)
			}
			if got := tensorType(t, out, "blk.1.ffn_down.weight"); got != c.down {
				t.Errorf("ffn_down is %v, want %v", got, c.down)
			}
			stdout, stderr, code = runCLI(t, "bench", "--model", out, "--threads", "2", "--pp", "8", "--tg", "4", "--reps", "1", "--json")
			if code != 0 {
				t.Fatalf("bench: exit %d: %s", code, stderr)
			}
			var res map[string]any
			if err := json.Unmarshal([]byte(stdout), &res); err != nil || strings.Count(stdout, "\n") != 1 {
				t.Fatalf("bench --json printed %q: %v", stdout, err)
			}
			for _, k := range []string{"pp_tps", "tg_tps", "load_s"} {
				if v, ok := res[k].(float64); !ok || v <= 0 {
					t.Errorf("bench: %s = %v", k, res[k])
				}
			}
			if v, ok := res["huge_mb"].(float64); !ok || v < 0 {
				t.Errorf("bench: huge_mb = %v", res["huge_mb"])
			}
		})
	}
}

func TestBenchText(t *testing.T) {
	model := synthModel(t, "Q4_0")
	stdout, stderr, code := runCLI(t, "bench", "--model", model, "--pp", "4", "--tg", "2", "--reps", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"pp4 ", "tg2 ", "tok/s"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output %q lacks %q", stdout, want)
		}
	}
}

func TestBenchQuantizeSynthErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bench"}, "--model is required"},
		{[]string{"bench", "--model", "x.gguf", "--reps", "0"}, "--reps must be positive"},
		{[]string{"bench", "--model", filepath.Join(dir, "missing.gguf")}, "missing.gguf"},
		{[]string{"quantize", "a.gguf"}, "want IN.gguf OUT.gguf TYPE"},
		{[]string{"quantize", "a.gguf", "b.gguf", "Q3_X"}, "unknown type"},
		{[]string{"quantize", filepath.Join(dir, "missing.gguf"), filepath.Join(dir, "b.gguf"), "Q8_0"}, "missing.gguf"},
		{[]string{"synth", "--shape", "tiny-qwen2"}, "are required"},
		{[]string{"synth", "--shape", "gpt-5", "--vocab", "v.gguf", "out.gguf"}, "unknown shape"},
		{[]string{"synth", "--shape", "tiny-qwen2", "--vocab", "v.gguf", "--type", "Q9", "out.gguf"}, "unknown type"},
	} {
		_, stderr, code := runCLI(t, c.args...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want an error with %q", c.args, code, stderr, c.want)
		}
	}
}
