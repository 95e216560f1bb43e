// Package engine runs a GGUF model in process: it loads the file, keeps one
// conversation's KV cache, and generates tokens, streaming them as text.
package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/model"
	"github.com/atelier-dev/atelier/internal/sample"
	"github.com/atelier-dev/atelier/internal/tokenizer"

	// The architectures the engine runs.
	_ "github.com/atelier-dev/atelier/internal/model/llama"
	_ "github.com/atelier-dev/atelier/internal/model/qwen2"
	_ "github.com/atelier-dev/atelier/internal/model/qwen3"
)

// Options configure Load.
type Options struct {
	// Threads is the number of workers; 0 means the number of physical
	// cores (as far as the machine tells).
	Threads int
	// ContextLength is the number of positions the KV cache holds; 0 means
	// the model's trained context, capped at DefaultContext.
	ContextLength int
	// Load is how the model file is brought into memory (LoadAuto if zero).
	Load LoadMode
}

// LoadMode is how Load brings a model file into memory.
type LoadMode int

const (
	// LoadAuto reads the file into huge pages where the system allows it
	// and has the memory (gguf.OpenResident: generation is faster from
	// them, and model.Load lays Q8_0 weights out for one stream per
	// core there), and maps it otherwise.
	LoadAuto LoadMode = iota
	// LoadMap maps the file (gguf.Open): nothing is copied, the pages are
	// the page cache's.
	LoadMap
	// LoadRead reads the file into the Go heap (gguf.OpenReadAll).
	LoadRead
)

// ParseLoadMode returns the mode named auto, mmap or read.
func ParseLoadMode(name string) (LoadMode, error) {
	switch name {
	case "auto", "":
		return LoadAuto, nil
	case "mmap":
		return LoadMap, nil
	case "read":
		return LoadRead, nil
	}
	return 0, fmt.Errorf("engine: load mode %q: want auto, mmap or read", name)
}

// Open opens the GGUF file at path the way m says.
func (m LoadMode) Open(path string) (*gguf.File, error) {
	switch m {
	case LoadMap:
		return gguf.Open(path)
	case LoadRead:
		return gguf.OpenReadAll(path)
	}
	return gguf.OpenResident(path)
}

// DefaultContext caps the context of a model loaded without an explicit
// length, so a 128K-token model does not reserve gigabytes of cache.
const DefaultContext = 8192

// Engine is a loaded model with one sequence. Generate calls are serialised.
type Engine struct {
	mu      sync.Mutex
	file    *gguf.File
	tok     *tokenizer.Tokenizer
	dec     *model.Decoder
	seq     *model.Sequence
	ctxLen  int
	history []int32 // tokens whose keys and values are in the cache
	logits  []float32
	threads int
}

// Load opens the GGUF file at path and prepares it to generate. A file the
// engine cannot run is refused with one error that says why.
func Load(path string, opts Options) (*Engine, error) {
	f, err := opts.Load.Open(path)
	if err != nil {
		return nil, err
	}
	e, err := fromFile(f, opts)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("engine: %s: %w", path, err)
	}
	return e, nil
}

func fromFile(f *gguf.File, opts Options) (*Engine, error) {
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		return nil, err
	}
	dec, err := model.Load(f)
	if err != nil {
		return nil, err
	}
	if tok.VocabSize() != dec.Vocab {
		return nil, fmt.Errorf("%w: the tokenizer has %d tokens but the model %d", model.ErrUnsupported, tok.VocabSize(), dec.Vocab)
	}
	n := opts.ContextLength
	if n <= 0 {
		n = min(dec.Context, DefaultContext)
	}
	threads := opts.Threads
	if threads <= 0 {
		threads = DefaultThreads()
	}
	dec.SetThreads(threads)
	e := &Engine{
		file: f, tok: tok, dec: dec, ctxLen: n, threads: threads,
		seq:     dec.NewSequence(n),
		history: make([]int32, 0, n),
		logits:  make([]float32, dec.Vocab),
	}
	return e, nil
}

// DefaultThreads returns the number of workers used when none is given:
// the physical cores, or the logical CPUs where those are not known.
func DefaultThreads() int {
	if n := physicalCores(); n > 0 {
		return n
	}
	return runtime.NumCPU()
}

// Close releases the model and the file.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dec.Close()
	return e.file.Close()
}

// Tokenizer returns the model's tokenizer.
func (e *Engine) Tokenizer() *tokenizer.Tokenizer { return e.tok }

// File returns the GGUF file the model was loaded from.
func (e *Engine) File() *gguf.File { return e.file }

// Config returns the model's hyperparameters.
func (e *Engine) Config() model.Config { return e.dec.Config }

// ChatTemplate returns the file's Jinja chat template, or "".
func (e *Engine) ChatTemplate() string {
	s, _ := e.file.String("tokenizer.chat_template")
	return s
}

// ContextLength returns the number of positions the engine holds.
func (e *Engine) ContextLength() int { return e.ctxLen }

// Threads returns the number of workers.
func (e *Engine) Threads() int { return e.threads }

// Constraint restricts which tokens may be sampled (grammar-constrained
// decoding). The engine checks the sampled token first and asks for the
// full mask only when it is refused.
type Constraint interface {
	// Allows reports whether token may come next.
	Allows(token int32) bool
	// Mask sets the logits of every token that may not come next to -Inf.
	Mask(logits []float32)
	// Accept advances the constraint past token.
	Accept(token int32) error
	// Done reports whether the constrained output is complete.
	Done() bool
}

// Closer is implemented by constraints that can finish their output
// within a number of tokens, so that a constrained output (a tool call, a
// JSON value) is never cut off by MaxTokens or the end of the context.
// Distances are in bytes, an upper bound on the tokens needed when the
// vocabulary has a token for every byte.
type Closer interface {
	// Remaining returns the fewest bytes that complete the output so far
	// (0: it may end here).
	Remaining() int
	// Fits reports whether token is allowed and leaves the output at most
	// budget-1 bytes from complete.
	Fits(token int32, budget int) bool
	// Close sets to -Inf the logits of every token that does not fit in
	// budget, or, when none fits, of every token but those that bring the
	// output closest to complete.
	Close(logits []float32, budget int)
}

// Request is one generation.
type Request struct {
	// Prompt is the whole prompt, BOS included if wanted. The cache keeps
	// the longest prefix it shares with the previous request's tokens.
	Prompt []int32
	// MaxTokens caps the tokens generated; 0 means until the context is full.
	//
	// With a Constraint that is a Closer, the output is finished within the
	// cap: each sampled token must leave room to complete the output, and
	// when it does not the model samples among the tokens that do. When
	// the grammar's shortest completion is longer than what is left (a cap
	// smaller than the shortest valid output, say), generation goes past
	// MaxTokens along the shortest completion, by at most the bytes it
	// needs; the end of the context is never passed.
	MaxTokens int
	Sampling  sample.Params
	// Constraint, if not nil, restricts sampling.
	Constraint Constraint
	// Logits, if not nil, is called with the logits of each step before
	// sampling (for tests and diagnostics); it must not keep the slice.
	Logits func(logits []float32)
	// OnPrompt, if not nil, is called as the prompt is read: with the
	// tokens evaluated so far (the cached ones included) and the prompt's
	// length, after each batch. Reading a long prompt is the long wait on
	// a CPU; this lets a user interface show it moving.
	OnPrompt func(done, total int)
}

// Chunk is one generated token and the text it completes (a character split
// over several tokens arrives with the last of them).
type Chunk struct {
	Token int32
	Text  string
}

// Stop reasons.
const (
	StopEOG        = "eog"        // the model ended its turn
	StopMaxTokens  = "max_tokens" // MaxTokens reached
	StopContext    = "context"    // the context is full
	StopConstraint = "constraint" // the constraint is complete or allows nothing
)

// Stats describe a generation.
type Stats struct {
	PromptTokens int // tokens of the prompt
	CachedTokens int // of which were already in the cache
	Generated    int
	PromptTime   time.Duration // evaluating the uncached prompt tokens
	GenTime      time.Duration // generating
	StopReason   string
}

// ErrEmptyPrompt is returned for a request with no tokens.
var ErrEmptyPrompt = errors.New("engine: empty prompt")

// Generate evaluates the prompt and generates tokens, calling fn with each.
// It stops at the end of the model's turn, at MaxTokens, when the context is
// full, or when ctx is cancelled or fn returns an error (returned as is).
func (e *Engine) Generate(ctx context.Context, req Request, fn func(Chunk) error) (st Stats, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st = Stats{PromptTokens: len(req.Prompt)}
	if len(req.Prompt) == 0 {
		return st, ErrEmptyPrompt
	}
	if len(req.Prompt) >= e.ctxLen {
		return st, fmt.Errorf("engine: the prompt has %d tokens, the context holds %d", len(req.Prompt), e.ctxLen)
	}
	// Reuse the cached prefix; the last prompt token is always evaluated
	// again, since its logits are needed.
	keep := 0
	for keep < len(e.history) && keep < len(req.Prompt)-1 && e.history[keep] == req.Prompt[keep] {
		keep++
	}
	st.CachedTokens = keep
	e.seq.Truncate(keep)
	e.history = e.history[:keep]
	start := time.Now()
	if err := e.eval(ctx, req.Prompt[keep:], req.OnPrompt, len(req.Prompt)); err != nil {
		return st, err
	}
	st.PromptTime = time.Since(start)
	start = time.Now()
	defer func() { st.GenTime = time.Since(start) }()

	s := sample.New(req.Sampling)
	dec := e.tok.NewDecoder()
	cl, _ := req.Constraint.(Closer)
	over := -1 // past MaxTokens: the generated count at which to stop anyway
	for {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		if req.Logits != nil {
			req.Logits(e.logits)
		}
		t := e.pick(s, req.Constraint, cl, e.budget(req.MaxTokens, st.Generated))
		if t < 0 {
			st.StopReason = StopConstraint
			break
		}
		if e.tok.IsEOG(t) {
			st.StopReason = StopEOG
			break
		}
		if req.Constraint != nil {
			if err := req.Constraint.Accept(t); err != nil {
				return st, fmt.Errorf("engine: constraint: %w", err)
			}
		}
		st.Generated++
		if err := fn(Chunk{Token: t, Text: dec.Add(t)}); err != nil {
			return st, err
		}
		if req.Constraint != nil && req.Constraint.Done() {
			st.StopReason = StopConstraint
			break
		}
		if req.MaxTokens > 0 && st.Generated >= req.MaxTokens {
			if cl != nil && over < 0 {
				over = st.Generated + cl.Remaining()
			}
			if cl == nil || cl.Remaining() == 0 || st.Generated >= over {
				st.StopReason = StopMaxTokens
				break
			}
		}
		if len(e.history) >= e.ctxLen {
			st.StopReason = StopContext
			break
		}
		if err := e.step(t); err != nil {
			return st, err
		}
	}
	if rest := dec.Flush(); rest != "" {
		if err := fn(Chunk{Token: -1, Text: rest}); err != nil {
			return st, err
		}
	}
	return st, nil
}

// eval runs prompt tokens through the model in batches, checking ctx
// between them and reporting progress to onPrompt (if not nil) out of
// total, and leaves the last token's logits in e.logits.
func (e *Engine) eval(ctx context.Context, tokens []int32, onPrompt func(done, total int), total int) error {
	if onPrompt != nil {
		onPrompt(len(e.history), total)
	}
	for len(tokens) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(len(tokens), model.MaxBatch)
		if err := e.dec.Forward(e.seq, tokens[:n], e.logits); err != nil {
			e.seq.Truncate(len(e.history))
			return fmt.Errorf("engine: %w", err)
		}
		e.history = append(e.history, tokens[:n]...)
		tokens = tokens[n:]
		if onPrompt != nil {
			onPrompt(len(e.history), total)
		}
	}
	return nil
}

// step runs one generated token through the model.
func (e *Engine) step(t int32) error {
	e.history = append(e.history, t)
	if err := e.dec.Forward(e.seq, e.history[len(e.history)-1:], e.logits); err != nil {
		e.history = e.history[:len(e.history)-1]
		return fmt.Errorf("engine: %w", err)
	}
	return nil
}

// budget returns the number of tokens that may still be generated, the
// next one included: up to MaxTokens (at least one once past it, as a
// Closer finishes) and the end of the context.
func (e *Engine) budget(maxTokens, generated int) int {
	// The token picked now is emitted even when the cache is full after it.
	b := e.ctxLen - len(e.history) + 1
	if maxTokens > 0 {
		b = min(b, max(maxTokens-generated, 1))
	}
	return b
}

// pick samples the next token, honouring the constraint: the sampled token
// is checked first, and only when it is refused are all logits masked.
// With a Closer, a token must also leave room in budget to complete the
// output; when it does not, the model samples again among those that do.
func (e *Engine) pick(s *sample.Sampler, c Constraint, cl Closer, budget int) int32 {
	t := s.Sample(e.logits, e.history, nil)
	if c == nil || t < 0 {
		return t
	}
	if cl == nil {
		if c.Allows(t) {
			return t
		}
		c.Mask(e.logits)
		return s.Sample(e.logits, e.history, nil)
	}
	// Fits implies Allows: the common case costs one check.
	if cl.Fits(t, budget) {
		return t
	}
	if !c.Allows(t) {
		c.Mask(e.logits)
		if t = s.Sample(e.logits, e.history, nil); t < 0 || cl.Fits(t, budget) {
			return t
		}
	}
	cl.Close(e.logits, budget)
	return s.Sample(e.logits, e.history, nil)
}
