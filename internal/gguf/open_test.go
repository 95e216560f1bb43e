package gguf

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/tensor"
)

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.gguf")
	junk := filepath.Join(dir, "junk.gguf")
	os.WriteFile(empty, nil, 0o644)
	os.WriteFile(junk, []byte("PK\x03\x04 not a model"), 0o644)
	for _, c := range []struct {
		path   string
		want   string
		format bool // matches ErrFormat
	}{
		{filepath.Join(dir, "missing.gguf"), "no such file", false},
		{dir, "is a directory", false},
		{empty, "empty.gguf: not a GGUF file: only 0 bytes", true},
		{junk, `junk.gguf: not a GGUF file (bad magic "PK\x03\x04")`, true},
	} {
		for _, o := range openers {
			_, err := o.open(c.path)
			if err == nil {
				t.Errorf("%s(%s): no error", o.name, c.path)
				continue
			}
			if !strings.HasPrefix(err.Error(), "gguf: ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s(%s): error %q, want %q", o.name, c.path, err, c.want)
			}
			if errors.Is(err, ErrFormat) != c.format {
				t.Errorf("%s(%s): errors.Is(%q, ErrFormat) = %v", o.name, c.path, err, !c.format)
			}
		}
	}
	if _, err := Open(filepath.Join(dir, "missing.gguf")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v does not match fs.ErrNotExist", err)
	}
}

// TestOpenMaps checks that Open maps the file where it can, so that tensor
// data is not in the Go heap, and that Close may be called twice.
func TestOpenMaps(t *testing.T) {
	b := NewBuilder()
	b.AddTensor("w", tensor.F32, []int64{4}, []byte("0123456789abcdef"))
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if mapped := f.release != nil; mapped != (runtime.GOOS != "windows" && runtime.GOOS != "plan9" && runtime.GOOS != "js" && runtime.GOOS != "wasip1") {
		t.Errorf("on %s, mapped = %v", runtime.GOOS, mapped)
	}
	w, _ := f.Tensor("w")
	if got := string(f.TensorData(w)); got != "0123456789abcdef" {
		t.Errorf("data %q", got)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
