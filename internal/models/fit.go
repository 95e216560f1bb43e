package models

import (
	"errors"
	"fmt"
)

// The memory a model needs is estimated as
//
//	weights + KV cache + compute buffers
//
// where
//
//   - weights is the GGUF file's size: the file is memory-mapped and every
//     page of it is read for each token;
//   - the KV cache holds keys and values for every layer and position:
//     2 (K and V) × layers × KV heads × head size × context × bytes per
//     element (F16: 2);
//   - compute buffers are the F32 scratch of one prompt batch of
//     ComputeBatch tokens: 4 bytes × (ComputeBatch × (2·embd + 2·ffn +
//     (heads + 2·KV heads)·head size) for the activations, + ComputeBatch ×
//     context for one head's attention scores, + vocabulary for the logits),
//     plus RuntimeOverhead for the Go runtime, tokenizer tables and the rest
//     of the program.
//
// A model fits when that total is within the RAM available now less a
// headroom for the system and other programs: the larger of HeadroomMin
// and HeadroomFraction of the total RAM.
const (
	KVBytesF16       = 2
	ComputeBatch     = 512
	RuntimeOverhead  = 64 << 20
	HeadroomMin      = 1 << 30
	HeadroomFraction = 0.10
)

// Need is a memory estimate in bytes.
type Need struct {
	Weights, KV, Compute int64
	Context              int
}

// Total is the whole estimate.
func (n Need) Total() int64 { return n.Weights + n.KV + n.Compute }

// KVCacheBytes is the F16 KV cache for ctx positions.
func KVCacheBytes(s Shape, ctx int) int64 {
	return 2 * int64(s.Layers) * int64(s.KVHeads) * int64(s.HeadDim) * int64(ctx) * KVBytesF16
}

// Estimate returns the memory a model of shape s whose weights take
// weights bytes needs at a context of ctx tokens.
func Estimate(s Shape, weights int64, ctx int) Need {
	b := int64(ComputeBatch)
	act := b * int64(2*s.Embd+2*s.FFN+(s.Heads+2*s.KVHeads)*s.HeadDim)
	scores := b * int64(ctx)
	compute := 4*(act+scores+int64(s.Vocab)) + RuntimeOverhead
	return Need{Weights: weights, KV: KVCacheBytes(s, ctx), Compute: compute, Context: ctx}
}

// Headroom is the memory left to the system and other programs.
func (m Machine) Headroom() uint64 {
	return max(uint64(HeadroomMin), uint64(float64(m.RAMTotal)*HeadroomFraction))
}

// Budget is the memory a model may use: available RAM less the headroom.
func (m Machine) Budget() uint64 {
	h := m.Headroom()
	if m.RAMAvailable <= h {
		return 0
	}
	return m.RAMAvailable - h
}

// Verdict says whether a model fits.
type Verdict int

const (
	Unknown Verdict = iota // the machine's memory is unknown
	Fits                   // within the budget
	Tight                  // within available RAM but eating the headroom: expect slowness or swapping
	TooBig                 // more than the available RAM
)

func (v Verdict) String() string {
	return [...]string{"unknown", "fits", "tight", "too big"}[v]
}

// Judge tells whether a need fits this machine.
func (m Machine) Judge(n Need) Verdict {
	switch {
	case m.RAMAvailable == 0:
		return Unknown
	case uint64(n.Total()) <= m.Budget():
		return Fits
	case uint64(n.Total()) <= m.RAMAvailable:
		return Tight
	}
	return TooBig
}

// FitContexts are the contexts `atelier hw` checks.
var FitContexts = [2]int{8 << 10, 32 << 10}

// FitRow is one catalog model and quantization checked against a machine.
type FitRow struct {
	Model Model
	File  File
	Need  [2]Need    // at FitContexts; Context 0 when beyond the model's own
	Fit   [2]Verdict // at FitContexts
	Speed Speed      // expected on the machine
	Fast  bool       // expected to generate at the policy's speed or faster
	Best  bool       // the recommendation
}

// Policy says which catalog model to recommend.
type Policy struct {
	// MinGenTPS is the generation speed, in tokens per second, the
	// recommended model must be expected to reach; 0 asks for no speed.
	MinGenTPS float64
}

// DefaultPolicy asks for DefaultMinGenTPS.
func DefaultPolicy() Policy { return Policy{MinGenTPS: DefaultMinGenTPS} }

// FitTable checks every catalog model and quantization against m and marks
// the recommendation under DefaultPolicy.
func FitTable(m Machine) []FitRow { return DefaultPolicy().FitTable(m) }

// FitTable checks every catalog model and quantization against m: memory
// at each of FitContexts and expected speed. It marks as Best the most
// capable tool-capable file that fits the memory at 32K context (failing
// that, at 8K) and is expected to generate at MinGenTPS or faster; when no
// such file fits, the fastest tool-capable file that fits (whose row is
// then not Fast). Capability is the number of parameters, then the finer
// quantization (the larger file). Nothing is marked when the available
// memory is unknown.
func (p Policy) FitTable(m Machine) []FitRow {
	var rows []FitRow
	for _, mod := range Catalog() {
		for _, f := range mod.Files {
			r := FitRow{Model: mod, File: f, Speed: EstimateSpeed(m, mod.Shape, f.Size)}
			r.Fast = r.Speed.Generate >= p.MinGenTPS
			for i, ctx := range FitContexts {
				if ctx > mod.Shape.Context {
					continue
				}
				r.Need[i] = Estimate(mod.Shape, f.Size, ctx)
				r.Fit[i] = m.Judge(r.Need[i])
			}
			rows = append(rows, r)
		}
	}
	if best := recommend(rows); best >= 0 {
		rows[best].Best = true
	}
	return rows
}

// recommend returns the index of the row to recommend, or -1.
func recommend(rows []FitRow) int {
	better := func(a, b FitRow) bool { // a is more capable than b
		pa, pb := a.Model.Shape.Params(), b.Model.Shape.Params()
		if pa != pb {
			return pa > pb
		}
		return a.File.Size > b.File.Size
	}
	faster := func(a, b FitRow) bool { return a.Speed.Generate > b.Speed.Generate }
	for _, fast := range []bool{true, false} {
		for i := len(FitContexts) - 1; i >= 0; i-- {
			best := -1
			for j, r := range rows {
				if !r.Model.Tools || r.Fit[i] != Fits || (fast && !r.Fast) {
					continue
				}
				switch {
				case best < 0:
					best = j
				case fast && better(r, rows[best]):
					best = j
				case !fast && faster(r, rows[best]):
					best = j
				}
			}
			if best >= 0 {
				return best
			}
		}
	}
	return -1
}

// ErrTooBig is returned by CheckFit for a model that will not fit.
var ErrTooBig = errors.New("model too big for this machine")

// CheckFit returns nil when a model fits this machine at a context, and
// otherwise one sentence saying why not. The agent calls it before loading
// a model rather than push the machine into swapping. An unknown amount of
// memory passes.
func CheckFit(m Machine, name string, n Need) error {
	switch m.Judge(n) {
	case Fits, Unknown:
		return nil
	}
	return fmt.Errorf("models: %s needs about %s at %s context (%s weights + %s KV cache + %s buffers) but this machine has %s available, of which atelier leaves %s to the system; choose a smaller model or a shorter context (`atelier hw` lists what fits): %w",
		name, FormatBytes(uint64(n.Total())), FormatContext(n.Context), FormatBytes(uint64(n.Weights)), FormatBytes(uint64(n.KV)),
		FormatBytes(uint64(n.Compute)), FormatBytes(m.RAMAvailable), FormatBytes(m.Headroom()), ErrTooBig)
}

// FormatContext prints a context length: "8K", "32K", "1000".
func FormatContext(n int) string {
	if n >= 1024 && n%1024 == 0 {
		return fmt.Sprintf("%dK", n/1024)
	}
	return fmt.Sprint(n)
}

// Why says in one phrase why the policy recommends row r (its Best row),
// e.g. for the first run's advice.
func (p Policy) Why(r FitRow) string {
	ctx := FitContexts[0]
	if r.Fit[1] == Fits {
		ctx = FitContexts[1]
	}
	switch {
	case !r.Fast:
		return fmt.Sprintf("the fastest tool-capable model that fits this machine's memory at %s context; expect about %.0f tokens/s, as no catalog model reaches %g here",
			FormatContext(ctx), r.Speed.Generate, p.MinGenTPS)
	case p.MinGenTPS > 0:
		return fmt.Sprintf("the most capable tool-capable model that fits this machine's memory at %s context and should generate at least %g tokens/s (about %.0f expected)",
			FormatContext(ctx), p.MinGenTPS, r.Speed.Generate)
	}
	return fmt.Sprintf("the most capable tool-capable model that fits this machine's memory at %s context", FormatContext(ctx))
}
