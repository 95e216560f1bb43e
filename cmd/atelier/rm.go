package main

import (
	"flag"
	"fmt"

	"github.com/atelier-dev/atelier/internal/models"
)

// cmdRm removes installed models by name.
func cmdRm(args []string, s stdio) error {
	fs := flag.NewFlagSet("rm", flag.ContinueOnError)
	fs.SetOutput(s.err)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("rm: give the name of an installed model (see atelier models): %w", errUsage)
	}
	store, err := models.DefaultStore()
	if err != nil {
		return err
	}
	for _, name := range fs.Args() {
		p, err := store.Remove(name)
		if err != nil {
			return err
		}
		fmt.Fprintf(s.out, "removed %s (%s)\n", name, p)
	}
	return nil
}
