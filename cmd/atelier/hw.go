package main

import (
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/atelier-dev/atelier/internal/models"
)

// cmdHW describes this machine and which catalog models fit it.
func cmdHW(args []string, s stdio) error {
	fs := flag.NewFlagSet("hw", flag.ContinueOnError)
	fs.SetOutput(s.err)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("hw: takes no arguments: %w", errUsage)
	}
	dir, err := models.DefaultDir()
	if err != nil {
		return err
	}
	m := models.Detect(dir)
	printMachine(s, m)
	return nil
}

// printMachine prints the machine report and the fit table; the agent's
// first run shows it too.
func printMachine(s stdio, m models.Machine) {
	w := s.out
	known := func(n uint64) string {
		if n == 0 {
			return "unknown"
		}
		return models.FormatBytes(n)
	}
	cores := fmt.Sprintf("%d logical", m.LogicalCores)
	if m.PhysicalCores > 0 && m.PhysicalCores != m.LogicalCores {
		cores = fmt.Sprintf("%d physical, %d logical", m.PhysicalCores, m.LogicalCores)
	}
	fmt.Fprintf(w, "system:    %s/%s\n", m.OS, m.Arch)
	fmt.Fprintf(w, "cpu:       %s (%s)\n", orDash(m.CPUModel), cores)
	fmt.Fprintf(w, "simd:      %s\n", m.SIMDString())
	fmt.Fprintf(w, "memory:    %s total, %s available; %s kept for the system\n", known(m.RAMTotal), known(m.RAMAvailable), models.FormatBytes(m.Headroom()))
	fmt.Fprintf(w, "disk:      %s free in %s\n", known(m.DiskFree), m.ModelsDir)
	gpus := "none detected"
	if len(m.GPUs) > 0 {
		gpus = strings.Join(m.GPUs, ", ") + " (atelier computes on the CPU)"
	}
	fmt.Fprintf(w, "gpu:       %s\n\n", gpus)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tFILE\tAT 8K\tAT 32K\tTOOLS\tLICENSE\t")
	var best string
	for _, r := range models.FitTable(m) {
		cell := func(i int) string {
			if r.Need[i].Context == 0 {
				return "-"
			}
			return fmt.Sprintf("%s %s", models.FormatBytes(uint64(r.Need[i].Total())), r.Fit[i])
		}
		mark := ""
		if r.Best {
			mark, best = "<- best fit", r.Model.Tag(r.File)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Model.Tag(r.File), models.FormatBytes(uint64(r.File.Size)),
			cell(0), cell(1), map[bool]string{true: "yes", false: "no"}[r.Model.Tools], r.Model.License, mark)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nmemory = weights + F16 KV cache + compute buffers; \"fits\" leaves the system its share, \"tight\" eats into it.")
	switch {
	case m.RAMAvailable == 0:
		fmt.Fprintln(w, "The available memory is unknown on this system, so no fit is judged.")
	case best != "":
		fmt.Fprintf(w, "Best fit: atelier pull %s\n", best)
	default:
		fmt.Fprintln(w, "No tool-capable catalog model fits the memory available now; close other programs and check again.")
	}
}
