package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/model/synth"
	"github.com/atelier-dev/atelier/internal/quantize"
)

// cmdSynth writes a random-weight model in a real architecture's shape.
func cmdSynth(args []string, s stdio) error {
	fs := flag.NewFlagSet("synth", flag.ContinueOnError)
	fs.SetOutput(s.err)
	var (
		shape = fs.String("shape", "", "model shape: "+strings.Join(synth.ShapeNames(), ", "))
		vocab = fs.String("vocab", "", "GGUF `file` whose tokenizer the model takes")
		typ   = fs.String("type", "Q8_0", "file type (F32, F16, Q8_0, Q4_0, Q5_0, Q4_K_M, Q5_K_M, Q6_K)")
		seed  = fs.Uint64("seed", 1, "random seed")
	)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 1 || *shape == "" || *vocab == "" {
		return fmt.Errorf("synth: --shape, --vocab and one output file are required: %w", errUsage)
	}
	sh, ok := synth.Shapes()[*shape]
	if !ok {
		return fmt.Errorf("synth: unknown shape %q (known: %s)", *shape, strings.Join(synth.ShapeNames(), ", "))
	}
	ft, err := quantize.ParseFileType(*typ)
	if err != nil {
		return err
	}
	v, err := gguf.Open(*vocab)
	if err != nil {
		return err
	}
	defer v.Close()
	b, err := synth.Build(synth.Options{Shape: sh, Vocab: v, Type: ft, Seed: *seed})
	if err != nil {
		return err
	}
	return b.WriteFile(fs.Arg(0))
}
