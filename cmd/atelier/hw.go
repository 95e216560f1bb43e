package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/atelier-dev/atelier/internal/models"
)

// cmdHW describes this machine and which catalog models fit it.
func cmdHW(args []string, s stdio) error {
	fs := flag.NewFlagSet("hw", flag.ContinueOnError)
	fs.SetOutput(s.err)
	quick := fs.Bool("quick", false, "estimate the memory bandwidth from the platform instead of measuring it (which takes about 0.3 s)")
	minSpeed := fs.Float64("min-speed", models.DefaultMinGenTPS, "generation speed in `tokens/s` the recommended model must be expected to reach (0: any)")
	fs.Usage = func() {
		fmt.Fprint(s.err, "usage: atelier hw [--quick] [--min-speed 10]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("hw: takes no arguments: %w", errUsage)
	}
	if *minSpeed < 0 {
		return fmt.Errorf("hw: --min-speed must be 0 or more tokens/s, not %g: %w", *minSpeed, errUsage)
	}
	m, err := checkMachine(s, !*quick)
	if err != nil {
		return err
	}
	printMachine(s, m, models.Policy{MinGenTPS: *minSpeed})
	return nil
}

// checkMachine detects this machine and, when measure is set, measures its
// memory bandwidth; a failed measurement falls back to the platform's
// estimate with a warning.
func checkMachine(s stdio, measure bool) (models.Machine, error) {
	dir, err := models.DefaultDir()
	if err != nil {
		return models.Machine{}, err
	}
	m := models.Detect(dir)
	if measure {
		if err := m.MeasureBandwidth(); err != nil {
			fmt.Fprintln(s.err, "atelier: warning:", err, "(the bandwidth is estimated instead)")
		}
	}
	return m, nil
}

// firstRunAdvice prints the hardware check and the `atelier pull` command
// of the recommended model. The agent calls it on its first run, when it
// has no model and no --base-url.
func firstRunAdvice(s stdio) {
	m, err := checkMachine(s, true)
	if err != nil {
		fmt.Fprintln(s.err, "atelier:", err)
		return
	}
	fmt.Fprint(s.out, "atelier has no model yet. It runs open-weight models on this computer's CPU; here is what fits it.\n\n")
	printMachine(s, m, models.DefaultPolicy())
	fmt.Fprint(s.out, "\nThen start with `atelier --model NAME`, or use a server with --base-url URL --remote-model NAME.\n")
}

// printMachine prints the machine report, the fit table and the
// recommendation under a policy.
func printMachine(s stdio, m models.Machine, p models.Policy) {
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
	bw, measured := m.MemBandwidth()
	how := "estimated from the platform (run `atelier hw` without --quick to measure it)"
	if measured {
		how = fmt.Sprintf("measured: all cores reading from memory for %s", models.BandwidthTime)
	}
	fmt.Fprintf(w, "bandwidth: %s/s, %s\n", models.FormatBytes(uint64(bw)), how)
	fmt.Fprintf(w, "disk:      %s free in %s\n", known(m.DiskFree), m.ModelsDir)
	gpus := "none detected"
	if len(m.GPUs) > 0 {
		gpus = strings.Join(m.GPUs, ", ") + " (atelier computes on the CPU)"
	}
	fmt.Fprintf(w, "gpu:       %s\n\n", gpus)

	rows := p.FitTable(m)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tFILE\tAT 8K\tAT 32K\tGENERATE\tPROMPT\tTOOLS\tLICENSE\t")
	var best *models.FitRow
	for i, r := range rows {
		cell := func(i int) string {
			if r.Need[i].Context == 0 {
				return "-"
			}
			return fmt.Sprintf("%s %s", models.FormatBytes(uint64(r.Need[i].Total())), r.Fit[i])
		}
		mark := ""
		if r.Best {
			mark, best = "<- best fit", &rows[i]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Model.Tag(r.File), models.FormatBytes(uint64(r.File.Size)),
			cell(0), cell(1), formatTPS(r.Speed.Generate), formatTPS(r.Speed.Prompt),
			map[bool]string{true: "yes", false: "no"}[r.Model.Tools], r.Model.License, mark)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nmemory = weights + F16 KV cache + compute buffers; \"fits\" leaves the system its share, \"tight\" eats into it.")
	fmt.Fprintf(w, "tokens/s are estimates: generating reads every weight once per token (%.1f × bandwidth / file size); reading a prompt is arithmetic (cores × SIMD width). `atelier bench` measures.\n", models.BandwidthEfficiency)
	printAdvice(w, m, p, best)
}

// printAdvice ends the report with the command to run.
func printAdvice(w io.Writer, m models.Machine, p models.Policy, best *models.FitRow) {
	switch {
	case m.RAMAvailable == 0:
		fmt.Fprintln(w, "The available memory is unknown on this system, so no fit is judged.")
	case best == nil:
		fmt.Fprintln(w, "No tool-capable catalog model fits the memory available now; close other programs and check again.")
	default:
		fmt.Fprintf(w, "Best fit: atelier pull %s\n  That is %s.\n", best.Model.Tag(best.File), p.Why(*best))
	}
}

// formatTPS prints an estimated speed in tokens per second.
func formatTPS(tps float64) string {
	switch {
	case tps <= 0:
		return "-"
	case tps < 10:
		return fmt.Sprintf("~%.1f tok/s", tps)
	}
	return fmt.Sprintf("~%.0f tok/s", tps)
}
