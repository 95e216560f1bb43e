package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/atelier-dev/atelier/internal/models"
)

// cmdShow prints an installed model's details, license and chat template.
func cmdShow(args []string, s stdio) error {
	fs := flag.NewFlagSet("show", flag.ContinueOnError)
	fs.SetOutput(s.err)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("show: give one installed model name or GGUF path: %w", errUsage)
	}
	store, err := models.DefaultStore()
	if err != nil {
		return err
	}
	path, err := store.Resolve(fs.Arg(0))
	if err != nil {
		return err
	}
	in, err := models.InfoOf(path)
	if err != nil {
		return err
	}
	w := s.out
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "%-13s %s\n", k+":", v)
		}
	}
	field("name", fs.Arg(0))
	field("model", in.ModelName)
	if in.Catalog != nil {
		field("about", in.Catalog.Description)
		field("repository", "hf.co/"+in.Catalog.Repo)
		field("tool calls", map[bool]string{true: "yes", false: "no"}[in.Catalog.Tools])
	}
	field("file", path)
	field("size", models.FormatBytes(uint64(in.Size)))
	field("architecture", in.Arch)
	field("parameters", models.FormatParams(in.Params))
	field("quantization", in.Quant)
	if in.Context > 0 {
		field("context", fmt.Sprintf("%s (%d tokens)", models.FormatContext(in.Context), in.Context))
	}
	sh := in.Shape
	if sh.Layers > 0 {
		field("shape", fmt.Sprintf("%d layers, embedding %d, %d heads (%d KV) of %d, vocabulary %d", sh.Layers, sh.Embd, sh.Heads, sh.KVHeads, sh.HeadDim, sh.Vocab))
		n := models.Estimate(sh, in.Size, min(in.Context, models.FitContexts[0]))
		field("memory", fmt.Sprintf("about %s at %s context (KV cache %s)", models.FormatBytes(uint64(n.Total())), models.FormatContext(n.Context), models.FormatBytes(uint64(n.KV))))
	}
	field("license", orDash(in.License))
	field("modified", in.ModTime.Format("2006-01-02 15:04"))
	if in.Template == "" {
		fmt.Fprintln(w, "\ntemplate: none in the file")
		return nil
	}
	fmt.Fprintln(w, "\ntemplate:")
	for line := range strings.SplitSeq(strings.TrimRight(in.Template, "\n"), "\n") {
		fmt.Fprintln(w, "  "+line)
	}
	return nil
}
