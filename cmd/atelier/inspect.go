package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/models"
	"github.com/atelier-dev/atelier/internal/tensor"
)

// cmdInspect describes a GGUF file: architecture, size, types, context,
// vocabulary and template.
func cmdInspect(args []string, s stdio) error {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(s.err)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("inspect: give one GGUF file: %w", errUsage)
	}
	f, err := gguf.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	w := s.out
	arch := f.Architecture()
	field := func(k, v string) { fmt.Fprintf(w, "%-15s %s\n", k+":", v) }
	if name, ok := f.String("general.name"); ok {
		field("name", name)
	}
	field("architecture", orNone(arch))
	if fi, err := os.Stat(fs.Arg(0)); err == nil {
		field("file size", models.FormatBytes(uint64(fi.Size())))
	}
	field("gguf version", fmt.Sprint(f.Version))
	var params int64
	counts := map[tensor.Type]int{}
	for i := range f.Tensors {
		t := &f.Tensors[i]
		params += t.Elements()
		counts[t.Type]++
	}
	field("parameters", fmt.Sprintf("%s (%d)", humanCount(params), params))
	var types []string
	for t, n := range counts {
		types = append(types, fmt.Sprintf("%v×%d", t, n))
	}
	slices.Sort(types)
	if len(f.Tensors) == 0 {
		field("tensors", "none (a vocabulary-only file)")
	} else {
		field("tensors", fmt.Sprintf("%d: %s", len(f.Tensors), strings.Join(types, ", ")))
	}
	if v, ok := f.Uint(arch + ".context_length"); ok {
		field("context", fmt.Sprint(v))
	}
	for _, k := range []struct{ key, label string }{
		{"embedding_length", "embedding"}, {"block_count", "layers"},
		{"attention.head_count", "heads"}, {"attention.head_count_kv", "kv heads"},
	} {
		if v, ok := f.Uint(arch + "." + k.key); ok {
			field(k.label, fmt.Sprint(v))
		}
	}
	vocab := "none"
	if toks, ok := f.Strings("tokenizer.ggml.tokens"); ok {
		m, _ := f.String("tokenizer.ggml.model")
		vocab = fmt.Sprintf("%d tokens (%s", len(toks), m)
		if pre, ok := f.String("tokenizer.ggml.pre"); ok {
			vocab += ", pre " + pre
		}
		vocab += ")"
	}
	field("vocabulary", vocab)
	tmpl := "absent"
	if t, ok := f.String("tokenizer.chat_template"); ok && t != "" {
		tmpl = fmt.Sprintf("present (%d bytes)", len(t))
	}
	field("chat template", tmpl)
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func humanCount(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2fB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1fK", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}
