package models

import (
	"fmt"
	"os"
	"strings"

	"github.com/atelier-dev/atelier/internal/gguf"
)

// Info is what a model file's GGUF metadata says, for `atelier models` and
// `atelier show`.
type Info struct {
	Entry
	Arch      string // general.architecture
	ModelName string // general.name
	Quant     string // from general.file_type, else from the file name
	Context   int    // trained context length
	Shape     Shape  // zero fields where the file does not say
	Params    int64  // number of weights
	Tensors   int
	License   string // general.license, else the catalog's
	Template  string // tokenizer.chat_template
	Catalog   *Model // the catalog entry of this file, if any
}

// ReadInfo reads the metadata of an installed model (or any GGUF file).
func ReadInfo(e Entry) (Info, error) {
	f, err := gguf.Open(e.Path)
	if err != nil {
		return Info{}, fmt.Errorf("models: %s: %w", e.Name, err)
	}
	defer f.Close()
	in := Info{Entry: e, Arch: f.Architecture(), Tensors: len(f.Tensors)}
	in.ModelName, _ = f.String("general.name")
	in.License, _ = f.String("general.license")
	in.Template, _ = f.String("tokenizer.chat_template")
	if ft, ok := f.Uint("general.file_type"); ok {
		in.Quant = fileTypeName(ft)
	}
	if in.Quant == "" {
		in.Quant = quantOfName(e.Path)
	}
	in.Shape = ShapeOf(f)
	in.Context = in.Shape.Context
	for i := range f.Tensors {
		in.Params += f.Tensors[i].Elements()
	}
	if m, _, ok := byRepoFile(e.Repo, e.File); ok {
		in.Catalog = &m
		if in.License == "" {
			in.License = m.License
		}
	}
	return in, nil
}

// InfoOf reads the metadata of a GGUF file at a path.
func InfoOf(path string) (Info, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Info{}, fmt.Errorf("models: %w", err)
	}
	return ReadInfo(Entry{Name: path, Path: path, Size: fi.Size(), ModTime: fi.ModTime()})
}

// ShapeOf reads a model's shape from its GGUF metadata; fields the file does
// not give are zero (the key size defaults to embd/heads and the KV heads to
// the heads, as in llama.cpp).
func ShapeOf(f *gguf.File) Shape {
	a := f.Architecture()
	get := func(key string) int {
		if v, ok := f.Uint(a + "." + key); ok && v < 1<<31 {
			return int(v)
		}
		return 0
	}
	s := Shape{
		Layers:  get("block_count"),
		Embd:    get("embedding_length"),
		FFN:     get("feed_forward_length"),
		Heads:   get("attention.head_count"),
		KVHeads: get("attention.head_count_kv"),
		HeadDim: get("attention.key_length"),
		Context: get("context_length"),
		Vocab:   get("vocab_size"),
	}
	if s.KVHeads == 0 {
		s.KVHeads = s.Heads
	}
	if s.HeadDim == 0 && s.Heads > 0 {
		s.HeadDim = s.Embd / s.Heads
	}
	if s.Vocab == 0 {
		if v, ok := f.Lookup("tokenizer.ggml.tokens"); ok {
			s.Vocab = v.Len()
		}
	}
	return s
}

// CheckFile tells whether the model file at path fits machine m at a
// context of ctx tokens (0: the model's own context); it returns one
// sentence wrapping ErrTooBig when it does not. The agent calls it before
// loading a model.
func CheckFile(m Machine, path string, ctx int) error {
	in, err := InfoOf(path)
	if err != nil {
		return err
	}
	if ctx <= 0 || (in.Context > 0 && ctx > in.Context) {
		ctx = in.Context
	}
	name := path
	if in.ModelName != "" {
		name = in.ModelName
	}
	return CheckFit(m, name, Estimate(in.Shape, in.Size, ctx))
}

// fileTypeName names llama.cpp's general.file_type values.
func fileTypeName(ft uint64) string {
	names := map[uint64]string{
		0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
		10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M",
		16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S",
		22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M",
		28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0",
	}
	return names[ft]
}

// FormatParams prints a weight count: "1.54B", "360M".
func FormatParams(n int64) string {
	switch {
	case n >= 1e9:
		return strings.TrimSuffix(fmt.Sprintf("%.2f", float64(n)/1e9), "0") + "B"
	case n >= 1e6:
		return fmt.Sprintf("%.0fM", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.0fK", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}
