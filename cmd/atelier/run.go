package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/atelier-dev/atelier/internal/engine"
	"github.com/atelier-dev/atelier/internal/grammar"
	"github.com/atelier-dev/atelier/internal/models"
	"github.com/atelier-dev/atelier/internal/sample"
)

// cmdRun generates a continuation of a prompt and streams it to stdout.
func cmdRun(args []string, s stdio) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(s.err)
	def := sample.Defaults()
	var (
		modelPath = fs.String("model", "", "GGUF `file` to run")
		maxTokens = fs.Int("max-tokens", 256, "stop after `n` tokens (0: until the model ends or the context is full)")
		temp      = fs.Float64("temp", float64(def.Temperature), "sampling temperature (0: greedy)")
		topK      = fs.Int("top-k", def.TopK, "keep the `k` most likely tokens (0: all)")
		topP      = fs.Float64("top-p", float64(def.TopP), "nucleus sampling threshold (1: off)")
		minP      = fs.Float64("min-p", float64(def.MinP), "drop tokens less likely than this fraction of the best (0: off)")
		repeat    = fs.Float64("repeat-penalty", float64(def.RepeatPenalty), "penalty for repeating recent tokens (1: off)")
		seed      = fs.Uint64("seed", 0, "random seed (0: a new one each run)")
		threads   = fs.Int("threads", 0, "worker threads (0: physical cores)")
		ctxLen    = fs.Int("ctx", 0, "context length in tokens (0: the model's, at most 8192)")
		load      = fs.String("load", "auto", "how the model is read: `auto` (into huge pages when memory allows, else mapped), mmap or read")
		gbnf      = fs.String("grammar", "", "constrain the output to the GBNF grammar in `file`")
		schema    = fs.String("json-schema", "", "constrain the output to JSON valid against the JSON Schema in `file`")
	)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *modelPath == "" {
		return fmt.Errorf("run: --model is required: %w", errUsage)
	}
	// A bad grammar fails before the model is loaded.
	g, err := readGrammar(*gbnf, *schema)
	if err != nil {
		return err
	}
	prompt := strings.Join(fs.Args(), " ")
	p := sample.Params{
		Temperature: float32(*temp), TopK: *topK, TopP: float32(*topP), MinP: float32(*minP),
		RepeatPenalty: float32(*repeat), RepeatLastN: def.RepeatLastN, Seed: *seed,
	}
	if p.Seed == 0 {
		p.Seed = uint64(time.Now().UnixNano())
	}

	mode, err := engine.ParseLoadMode(*load)
	if err != nil {
		return fmt.Errorf("run: %w: %w", err, errUsage)
	}
	path, err := loadablePath(nil, *modelPath, *ctxLen)
	if err != nil {
		return err
	}
	start := time.Now()
	e, err := engine.Load(path, engine.Options{Threads: *threads, ContextLength: *ctxLen, Load: mode})
	if err != nil {
		return err
	}
	defer e.Close()
	loadTime := time.Since(start)

	tokens := e.Tokenizer().Encode(prompt, true, false)
	if len(tokens) == 0 {
		return errors.New("run: the prompt is empty and the model has no BOS token to start from")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	req := engine.Request{Prompt: tokens, MaxTokens: *maxTokens, Sampling: p}
	if g != nil {
		req.Constraint = grammar.NewConstraint(g, grammar.NewTokens(e.Tokenizer()))
	}
	st, err := e.Generate(ctx, req, func(c engine.Chunk) error {
		_, err := writeText(s, c.Text)
		return err
	})
	fmt.Fprintln(s.out)
	fmt.Fprintf(s.err, "load %.2f s · prompt %d tokens, %.1f tok/s · generated %d tokens, %.1f tok/s · %d threads\n",
		loadTime.Seconds(), st.PromptTokens-st.CachedTokens, rate(st.PromptTokens-st.CachedTokens, st.PromptTime),
		st.Generated, rate(st.Generated, st.GenTime), e.Threads())
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// readGrammar compiles the grammar or schema file named, if any.
func readGrammar(gbnfFile, schemaFile string) (*grammar.Grammar, error) {
	switch {
	case gbnfFile != "" && schemaFile != "":
		return nil, fmt.Errorf("run: give --grammar or --json-schema, not both: %w", errUsage)
	case gbnfFile != "":
		src, err := os.ReadFile(gbnfFile)
		if err != nil {
			return nil, fmt.Errorf("run: %w", err)
		}
		g, err := grammar.Parse(string(src))
		if err != nil {
			return nil, fmt.Errorf("run: %s: %w", gbnfFile, err)
		}
		return g, nil
	case schemaFile != "":
		src, err := os.ReadFile(schemaFile)
		if err != nil {
			return nil, fmt.Errorf("run: %w", err)
		}
		g, err := grammar.ParseSchema(src, grammar.SchemaOptions{})
		if err != nil {
			return nil, fmt.Errorf("run: %s: %w", schemaFile, err)
		}
		return g, nil
	}
	return nil, nil
}

// loadablePath resolves a model name or path against store (nil: the
// default store; see models.Store.Resolve) and checks that the model fits
// this machine's memory at the context it will be loaded with, so a model
// too large is refused with a sentence instead of swapping the machine to
// a halt. `atelier run`, the agent and the terminal UI all load through it.
func loadablePath(store *models.Store, nameOrPath string, ctxLen int) (string, error) {
	resolve := models.Resolve
	if store != nil {
		resolve = store.Resolve
	}
	path, err := resolve(nameOrPath)
	if err != nil {
		return "", err
	}
	if err := checkFits(path, ctxLen); err != nil {
		return "", err
	}
	return path, nil
}

// checkFits refuses, with one sentence, a model file that would not fit
// this machine's memory with its KV cache at the context it will be loaded
// with (0: the engine's default).
func checkFits(path string, ctxLen int) error {
	if ctxLen <= 0 {
		ctxLen = engine.DefaultContext
	}
	return models.CheckFile(models.Detect(filepath.Dir(path)), path, ctxLen)
}

func writeText(s stdio, text string) (int, error) {
	if text == "" {
		return 0, nil
	}
	return fmt.Fprint(s.out, text)
}

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
