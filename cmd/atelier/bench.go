package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atelier-dev/atelier/internal/engine"
	"github.com/atelier-dev/atelier/internal/model"
)

// benchResult is what bench prints with --json, with the keys of
// ../shared/peer/bench.mjs (llama.cpp on the same file).
type benchResult struct {
	PP      int     `json:"pp"`
	TG      int     `json:"tg"`
	Threads int     `json:"threads"`
	PPTPS   float64 `json:"pp_tps"`
	TGTPS   float64 `json:"tg_tps"`
	// PeakRSSMB is the process's peak resident memory (VmHWM) in MiB, and
	// FileMB and KVCacheMB what it is compared with: the weights are
	// mapped or read once, so it should stay within their sum plus 10%.
	PeakRSSMB float64 `json:"peak_rss_mb,omitempty"`
	FileMB    float64 `json:"file_mb"`
	KVCacheMB float64 `json:"kv_cache_mb"`
	// LoadS is the time taken to open and load the model, in seconds, and
	// HugeMB how much of the process's memory is in anonymous huge pages
	// (the weights, when --load auto read them into huge pages).
	LoadS  float64 `json:"load_s"`
	HugeMB float64 `json:"huge_mb"`
}

// cmdBench measures prompt processing (pp tokens in one batch on an empty
// cache) and generation (tg tokens one at a time, after the pp prompt, as
// ../shared/peer/bench.mjs measures llama.cpp) like llama-bench: one
// warm-up run, then the median of reps runs.
func cmdBench(args []string, s stdio) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(s.err)
	var (
		modelPath = fs.String("model", "", "GGUF `file` to measure")
		threads   = fs.Int("threads", 0, "worker threads (0: physical cores)")
		pp        = fs.Int("pp", 128, "prompt tokens evaluated in one batch (0: skip)")
		tg        = fs.Int("tg", 64, "tokens generated one at a time (0: skip)")
		reps      = fs.Int("reps", 3, "measured repetitions (the median is reported)")
		asJSON    = fs.Bool("json", false, "print one JSON line with pp_tps and tg_tps")
		profile   = fs.String("cpuprofile", "", "write a CPU profile of the measured runs to `file`")
		load      = fs.String("load", "auto", "how the model is read: `auto` (into huge pages when memory allows, else mapped), mmap or read")
	)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *modelPath == "" || fs.NArg() != 0 {
		return fmt.Errorf("bench: --model is required: %w", errUsage)
	}
	if *pp < 0 || *tg < 0 || *reps < 1 || *threads < 0 {
		return fmt.Errorf("bench: --pp, --tg and --threads must not be negative and --reps must be positive: %w", errUsage)
	}
	if *threads == 0 {
		*threads = engine.DefaultThreads()
	}
	mode, err := engine.ParseLoadMode(*load)
	if err != nil {
		return fmt.Errorf("bench: %w: %w", err, errUsage)
	}
	start := time.Now()
	f, err := mode.Open(*modelPath)
	if err != nil {
		return err
	}
	defer f.Close()
	dec, err := model.Load(f)
	if err != nil {
		return fmt.Errorf("bench: %s: %w", *modelPath, err)
	}
	dec.SetThreads(*threads)
	defer dec.Close()
	loadTime := time.Since(start)
	ctx := max(*pp+*tg, 1)
	if ctx > dec.Context && dec.Context > 0 {
		return fmt.Errorf("bench: %d tokens exceed the model's context of %d", ctx, dec.Context)
	}
	seq := dec.NewSequence(ctx)
	logits := make([]float32, dec.Vocab)
	// Return what loading left behind to the system, as a long-running
	// process's scavenger would, so the peak below is the generating
	// process's: mapped weights, KV cache and scratch.
	debug.FreeOSMemory()
	// Token ids spread over the vocabulary, as a real prompt's would be.
	tokens := make([]int32, ctx)
	for i := range tokens {
		tokens[i] = int32((i*7919 + 13) % dec.Vocab)
	}
	res := benchResult{PP: *pp, TG: *tg, Threads: *threads, LoadS: loadTime.Seconds()}
	if *profile != "" {
		pf, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *pp > 0 {
		res.PPTPS, err = benchMedian(*reps, *pp, func() error {
			seq.Truncate(0)
			return nil
		}, func() error {
			return dec.Forward(seq, tokens[:*pp], logits)
		})
		if err != nil {
			return err
		}
	}
	if *tg > 0 {
		// As ../shared/peer/bench.mjs does, generation follows the prompt.
		prompt := tokens[:*pp]
		res.TGTPS, err = benchMedian(*reps, *tg, func() error {
			seq.Truncate(0)
			if len(prompt) > 0 {
				if err := dec.Forward(seq, prompt, logits); err != nil {
					return err
				}
			}
			return nil
		}, func() error {
			for i := range *tg {
				if err := dec.Forward(seq, tokens[*pp+i:*pp+i+1], logits); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if st, err := os.Stat(*modelPath); err == nil {
		res.FileMB = float64(st.Size()) / (1 << 20)
	}
	c := dec.Config
	res.KVCacheMB = float64(2*c.Layers*ctx*c.KVHeads*c.HeadDim*2) / (1 << 20)
	res.PeakRSSMB = procKB("/proc/self/status", "VmHWM:") / 1024
	res.HugeMB = procKB("/proc/self/smaps_rollup", "AnonHugePages:") / 1024
	if *asJSON {
		b, err := json.Marshal(res)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(s.out, string(b))
		return err
	}
	_, err = fmt.Fprintf(s.out, "model %s · %d threads\npp%d %8.2f tok/s\ntg%d %8.2f tok/s\npeak RSS %.0f MiB (file %.0f MiB, KV cache %.1f MiB, %.0f MiB in huge pages)\nloaded in %.2f s\n",
		*modelPath, *threads, *pp, res.PPTPS, *tg, res.TGTPS, res.PeakRSSMB, res.FileMB, res.KVCacheMB, res.HugeMB, res.LoadS)
	return err
}

// procKB returns the value in kB of the line starting with key in the
// /proc file at path (0 where there is none).
func procKB(path, key string) float64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, key); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			if err == nil {
				return kb
			}
		}
	}
	return 0
}

// benchMedian runs setup then fn once to warm up, then reps times, and
// returns the median rate of n tokens per timed fn.
func benchMedian(reps, n int, setup, fn func() error) (float64, error) {
	if n == 0 {
		return 0, errors.New("bench: nothing to measure")
	}
	rates := make([]float64, 0, reps)
	for i := -1; i < reps; i++ {
		if err := setup(); err != nil {
			return 0, err
		}
		start := time.Now()
		if err := fn(); err != nil {
			return 0, err
		}
		if i >= 0 {
			rates = append(rates, float64(n)/time.Since(start).Seconds())
		}
	}
	slices.Sort(rates)
	return rates[len(rates)/2], nil
}
