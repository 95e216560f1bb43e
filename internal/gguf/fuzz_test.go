package gguf

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/tensor"
)

var update = flag.Bool("update", false, "rewrite the fuzz seed corpus in testdata/fuzz/FuzzParse")

// FuzzParse checks that Parse never panics, that every error is a clear
// ErrFormat naming the file, and that whatever it accepts is consistent:
// tensor data is in bounds, and a copy made with the Builder parses to the
// same metadata.
func FuzzParse(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data, "fuzz.gguf")
		if err != nil {
			if !errors.Is(err, ErrFormat) || !strings.HasPrefix(err.Error(), "gguf: fuzz.gguf: ") {
				t.Fatalf("bad error %q", err)
			}
			return
		}
		for i := range file.Tensors {
			ti := &file.Tensors[i]
			if int64(len(file.TensorData(ti))) != ti.Size || ti.Elements() < 0 {
				t.Fatalf("tensor %q: %d bytes of data, size %d", ti.Name, len(file.TensorData(ti)), ti.Size)
			}
		}
		b := NewBuilder()
		b.SetVersion(file.Version)
		for _, kv := range file.KV {
			_ = kv.Value.String()
			b.Set(kv.Key, kv.Value)
		}
		for i := range file.Tensors {
			ti := &file.Tensors[i]
			if b.AddTensor(ti.Name, ti.Type, ti.Dims, file.TensorData(ti)) != nil {
				return // legal to read but not to write (no dimensions, long name)
			}
		}
		var buf bytes.Buffer
		if _, err := b.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(buf.Bytes(), "fuzz.gguf")
		if err != nil {
			t.Fatalf("rewritten file does not parse: %v", err)
		}
		if len(again.KV) != len(file.KV) || len(again.Tensors) != len(file.Tensors) {
			t.Fatalf("rewritten file has %d keys, %d tensors; want %d, %d",
				len(again.KV), len(again.Tensors), len(file.KV), len(file.Tensors))
		}
		for i, kv := range again.KV {
			if kv.Key != file.KV[i].Key || !reflect.DeepEqual(kv.Value.Any(), file.KV[i].Value.Any()) && kv.Value.String() != file.KV[i].Value.String() {
				t.Fatalf("key %d: %s = %v, want %s = %v", i, kv.Key, kv.Value, file.KV[i].Key, file.KV[i].Value)
			}
		}
		for i := range again.Tensors {
			if !bytes.Equal(again.TensorData(&again.Tensors[i]), file.TensorData(&file.Tensors[i])) {
				t.Fatalf("tensor %q: data differs after rewriting", again.Tensors[i].Name)
			}
		}
	})
}

type seed struct {
	name string
	data []byte
}

// seeds returns small valid files made by the Builder, prefixes of them, and
// hand-made malformed ones.
func seeds(tb testing.TB) []seed {
	var out []seed
	add := func(name string, b *Builder) {
		var buf bytes.Buffer
		if _, err := b.WriteTo(&buf); err != nil {
			tb.Fatal(err)
		}
		data := buf.Bytes()
		out = append(out, seed{name, data})
		for _, n := range []int{len(data) / 3, len(data) / 2, len(data) - 1} {
			out = append(out, seed{name + "-cut" + strconv.Itoa(n), data[:n]})
		}
	}
	b := NewBuilder()
	b.Set("general.architecture", "llama")
	b.Set("llama.block_count", uint32(1))
	b.Set("tokenizer.ggml.tokens", []string{"<unk>", "<s>", "</s>", "a"})
	b.Set("tokenizer.ggml.scores", []float32{0, 0, 0, -1})
	b.Set("tokenizer.ggml.token_type", []int32{2, 3, 3, 1})
	add("vocab", b)

	b = NewBuilder()
	b.Set("general.architecture", "llama")
	b.Set(KeyAlignment, uint32(16))
	b.AddTensor("a", tensor.F32, []int64{4, 2}, make([]byte, 32))
	b.AddTensor("b", tensor.F16, []int64{3}, []byte{1, 2, 3, 4, 5, 6})
	b.AddTensor("q", tensor.Q8_0, []int64{32}, make([]byte, 34))
	add("tensors", b)

	b = NewBuilder()
	b.SetVersion(2)
	for _, kv := range allValues {
		b.Set(kv.key, kv.val)
	}
	inner, _ := MakeValue([]int16{1, -1})
	b.Set("nested", []Value{inner, inner})
	add("values-v2", b)

	for _, c := range []struct {
		name string
		r    *raw
	}{
		{"overlap", header(3, 2, 0).tensor("a", tensor.F32, 0, 16).tensor("b", tensor.F32, 32, 8).data(64)},
		{"big-count", header(3, 0, 1).str("k").u32(uint32(TypeArray)).u32(uint32(TypeString)).u64(1 << 40).u64(0)},
		{"deep", header(3, 0, 1).str("k").u32(uint32(TypeArray)).nested(maxNesting)},
	} {
		out = append(out, seed{c.name, c.r.Bytes()})
	}
	return out
}

// TestFuzzSeeds keeps the committed seed corpus in step with seeds; run with
// -update to rewrite it.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	for _, s := range seeds(t) {
		path := filepath.Join(dir, s.name)
		content := "go test fuzz v1\n[]byte(" + strconv.Quote(string(s.data)) + ")\n"
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Errorf("seed %s is missing or stale (%v): run go test -run TestFuzzSeeds -update", path, err)
		}
	}
}
