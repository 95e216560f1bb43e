package main

import (
	"fmt"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/quantize"
)

// cmdQuantize converts a GGUF file's weights to another type, choosing each
// tensor's type as llama.cpp's quantizer does.
func cmdQuantize(args []string, s stdio) error {
	if len(args) != 3 {
		return fmt.Errorf("quantize: want IN.gguf OUT.gguf TYPE: %w", errUsage)
	}
	ft, err := quantize.ParseFileType(args[2])
	if err != nil {
		return err
	}
	in, err := gguf.Open(args[0])
	if err != nil {
		return err
	}
	defer in.Close()
	if err := quantize.Convert(in, args[1], ft); err != nil {
		return err
	}
	fmt.Fprintf(s.out, "wrote %s (%s)\n", args[1], ft.Name)
	return nil
}
