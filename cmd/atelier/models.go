package main

import (
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/atelier-dev/atelier/internal/models"
)

// cmdModels lists the installed models.
func cmdModels(args []string, s stdio) error {
	fs := flag.NewFlagSet("models", flag.ContinueOnError)
	fs.SetOutput(s.err)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("models: takes no arguments: %w", errUsage)
	}
	store, err := models.DefaultStore()
	if err != nil {
		return err
	}
	list, err := store.List()
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintf(s.out, "no models installed in %s; try: atelier pull qwen2.5-coder:1.5b\n", store.Dir)
		return nil
	}
	tw := tabwriter.NewWriter(s.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSIZE\tARCH\tQUANT\tCONTEXT\tMODIFIED")
	for _, e := range list {
		in, err := models.ReadInfo(e)
		if err != nil {
			fmt.Fprintf(tw, "%s\t%s\t(unreadable: %v)\t\t\t%s\n", e.Name, models.FormatBytes(uint64(e.Size)), err, e.ModTime.Format("2006-01-02 15:04"))
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Name, models.FormatBytes(uint64(e.Size)), orDash(in.Arch), orDash(in.Quant),
			ctxString(in.Context), e.ModTime.Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func ctxString(n int) string {
	if n == 0 {
		return "-"
	}
	return models.FormatContext(n)
}
