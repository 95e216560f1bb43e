package models

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/tensor"
	"github.com/atelier-dev/atelier/internal/testshared"
)

// writeTinyGGUF writes a small qwen2 GGUF with real-looking metadata.
func writeTinyGGUF(t *testing.T, path string, fileType uint32) {
	t.Helper()
	b := gguf.NewBuilder()
	b.Set("general.architecture", "qwen2")
	b.Set("general.name", "Tiny Coder")
	b.Set("general.file_type", fileType)
	b.Set("qwen2.block_count", uint32(2))
	b.Set("qwen2.context_length", uint32(4096))
	b.Set("qwen2.embedding_length", uint32(64))
	b.Set("qwen2.feed_forward_length", uint32(128))
	b.Set("qwen2.attention.head_count", uint32(4))
	b.Set("qwen2.attention.head_count_kv", uint32(2))
	b.Set("tokenizer.ggml.tokens", []string{"a", "b", "c", "d", "e"})
	b.Set("tokenizer.chat_template", "{{ messages }}")
	if err := b.AddTensor("token_embd.weight", tensor.F32, []int64{64, 5}, make([]byte, 64*5*4)); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
}

func TestStoreListResolveRemove(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	m, f, _ := Lookup("qwen2.5-coder:1.5b-q8_0")
	catalogPath := s.Path(m.Repo, f.Name)
	writeTinyGGUF(t, catalogPath, 7)
	otherPath := s.Path("acme/Other-GGUF", "other-Q4_K_M.gguf")
	writeTinyGGUF(t, otherPath, 15)
	// A partial download and its record are not models.
	os.WriteFile(s.Path("acme/Other-GGUF", "big-Q8_0.gguf")+partialSuffix, []byte("x"), 0o644)

	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range list {
		names = append(names, e.Name)
	}
	want := "hf.co/acme/Other-GGUF/other-Q4_K_M.gguf qwen2.5-coder:1.5b-q8_0"
	if strings.Join(names, " ") != want {
		t.Fatalf("List = %q, want %q", names, want)
	}

	for _, tc := range []struct{ in, want string }{
		{"qwen2.5-coder:1.5b-q8_0", catalogPath},
		// Only Q8_0 is installed: the bare name finds it.
		{"qwen2.5-coder:1.5b", catalogPath},
		{"hf.co/" + m.Repo + ":Q8_0", catalogPath},
		{"hf.co/acme/Other-GGUF:q4_k_m", otherPath},
		{"hf.co/acme/Other-GGUF/other-Q4_K_M.gguf", otherPath},
		{otherPath, otherPath},
	} {
		got, err := s.Resolve(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"qwen2.5-coder:7b", "hf.co/acme/Other-GGUF:Q8_0", "./nowhere.gguf", "no-such-model"} {
		_, err := s.Resolve(in)
		if !errors.Is(err, ErrNotInstalled) {
			t.Errorf("Resolve(%q) = %v, want ErrNotInstalled", in, err)
		}
	}
	if _, err := s.Resolve("qwen2.5-coder:7b"); err == nil || !strings.Contains(err.Error(), "atelier pull qwen2.5-coder:7b") {
		t.Errorf("error does not say how to install: %v", err)
	}

	in, err := ReadInfo(list[1])
	if err != nil {
		t.Fatal(err)
	}
	if in.Arch != "qwen2" || in.Quant != "Q8_0" || in.Context != 4096 || in.Template != "{{ messages }}" ||
		in.License != "apache-2.0" || in.Params != 320 || in.Shape.HeadDim != 16 || in.Shape.Vocab != 5 || in.Catalog == nil {
		t.Errorf("ReadInfo = %+v", in)
	}

	if _, err := s.Remove("qwen2.5-coder:1.5b-q8_0"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(catalogPath)); !os.IsNotExist(err) {
		t.Error("Remove left an empty repository folder")
	}
	if _, err := s.Remove("qwen2.5-coder:1.5b-q8_0"); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("second Remove = %v", err)
	}
	// rm never deletes a file outside the store.
	outside := filepath.Join(t.TempDir(), "mine.gguf")
	writeTinyGGUF(t, outside, 15)
	if _, err := s.Remove(outside); err == nil {
		t.Error("Remove deleted a file outside the store")
	}
	if _, err := os.Stat(outside); err != nil {
		t.Error(err)
	}
	// Removing a partial download by name.
	if _, err := s.Remove("hf.co/acme/Other-GGUF/big-Q8_0.gguf"); err != nil {
		t.Errorf("removing a partial: %v", err)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("ATELIER_MODELS", "/srv/models")
	if d, _ := DefaultDir(); d != "/srv/models" && runtime.GOOS != "windows" {
		t.Errorf("DefaultDir with ATELIER_MODELS = %q", d)
	}
	t.Setenv("ATELIER_MODELS", "")
	t.Setenv("XDG_DATA_HOME", "/data")
	if d, _ := DefaultDir(); runtime.GOOS == "linux" && d != "/data/atelier/models" {
		t.Errorf("DefaultDir with XDG_DATA_HOME = %q", d)
	}
}

func TestCheckFileRealModel(t *testing.T) {
	p := testshared.Path(t, "testdata/models/stories260K.gguf")
	in, err := InfoOf(p)
	if err != nil {
		t.Fatal(err)
	}
	if in.Arch != "llama" || in.Shape.Layers == 0 || in.Shape.KVHeads == 0 || in.Context == 0 {
		t.Errorf("stories260K info = %+v", in)
	}
	const gib = 1 << 30
	if err := CheckFile(Machine{RAMTotal: 8 * gib, RAMAvailable: 4 * gib}, p, 0); err != nil {
		t.Errorf("a 1 MB model does not fit 4 GiB: %v", err)
	}
	if err := CheckFile(Machine{RAMTotal: 8 * gib, RAMAvailable: 1000}, p, 0); !errors.Is(err, ErrTooBig) {
		t.Errorf("CheckFile on a full machine = %v", err)
	}
}

func TestParseRef(t *testing.T) {
	for _, tc := range []struct {
		in, repo, file, quant string
		catalog               bool
	}{
		{"qwen2.5-coder:1.5b", "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", "Q4_K_M", true},
		{"Qwen2.5-Coder:1.5B-Q8_0", "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF", "qwen2.5-coder-1.5b-instruct-q8_0.gguf", "Q8_0", true},
		{"hf.co/bartowski/X-GGUF:q5_k_m", "bartowski/X-GGUF", "", "Q5_K_M", false},
		{"hf.co/bartowski/X-GGUF", "bartowski/X-GGUF", "", "Q4_K_M", false},
		{"huggingface.co/a/b/sub/x-Q8_0.gguf", "a/b", "sub/x-Q8_0.gguf", "Q8_0", false},
		{"hf.co/Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/qwen2.5-coder-1.5b-instruct-q8_0.gguf", "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF", "qwen2.5-coder-1.5b-instruct-q8_0.gguf", "Q8_0", true},
	} {
		r, err := ParseRef(tc.in)
		if err != nil || r.Repo != tc.repo || r.File != tc.file || r.Quant != tc.quant || (r.Catalog != nil) != tc.catalog {
			t.Errorf("ParseRef(%q) = %+v, %v", tc.in, r, err)
		}
	}
	for _, in := range []string{"hf.co/a", "hf.co/a/../b:Q4_K_M", "hf.co/a/b/../../etc/passwd.gguf", "hf.co/a/b/x.bin", "hf.co/a/b:Q4 K", "qwen2.5-coder:1.5b-q3_k_s", "gpt-5", "hf.co/a/b/x.gguf:Q8_0"} {
		if _, err := ParseRef(in); err == nil {
			t.Errorf("ParseRef(%q) accepted", in)
		}
	}
	if got := (Ref{Repo: "a/b", Quant: "Q8_0"}).String(); got != "hf.co/a/b:Q8_0" {
		t.Errorf("String = %q", got)
	}
}

func TestFileMatchesQuant(t *testing.T) {
	for _, tc := range []struct {
		name, quant string
		want        bool
	}{
		{"qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", "Q4_K_M", true},
		{"Qwen2.5-Coder-1.5B-Instruct.Q4_K_M.gguf", "q4_k_m", true},
		{"x-Q4_K_M.gguf", "Q4_K", false},
		{"x-Q4_K.gguf", "Q4_K", true},
		{"x-UD-Q4_K_XL.gguf", "Q4_K_XL", true},
		{"x-IQ4_XS.gguf", "Q4_XS", false},
		{"x-Q4_K_M.bin", "Q4_K_M", false},
	} {
		if got := fileMatchesQuant(tc.name, tc.quant); got != tc.want {
			t.Errorf("fileMatchesQuant(%q, %q) = %v", tc.name, tc.quant, got)
		}
	}
	if !isSplitFile("x-q8_0-00001-of-00003.gguf") || isSplitFile("x-q8_0.gguf") {
		t.Error("isSplitFile")
	}
}

func TestCatalogIsConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range Catalog() {
		if seen[m.Name] {
			t.Errorf("%s twice", m.Name)
		}
		seen[m.Name] = true
		if m.Default().Quant != DefaultQuant {
			t.Errorf("%s: default is %s", m.Name, m.Default().Quant)
		}
		s := m.Shape
		if s.Layers == 0 || s.Embd == 0 || s.FFN == 0 || s.Vocab == 0 || s.Context < 8192 || s.Heads%s.KVHeads != 0 || s.HeadDim == 0 || m.License == "" {
			t.Errorf("%s: incomplete: %+v", m.Name, m)
		}
		for _, f := range m.Files {
			if !fileMatchesQuant(f.Name, f.Quant) || f.Size < 100e6 {
				t.Errorf("%s: file %+v", m.Name, f)
			}
			r, err := ParseRef(m.Tag(f))
			if err != nil || r.File != f.Name {
				t.Errorf("%s does not parse back: %v", m.Tag(f), err)
			}
		}
	}
	if len(seen) < 13 {
		t.Errorf("catalog has %d models", len(seen))
	}
}
