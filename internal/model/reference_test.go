package model_test

import (
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/model"
	_ "github.com/atelier-dev/atelier/internal/model/qwen2"
	_ "github.com/atelier-dev/atelier/internal/model/qwen3"
	"github.com/atelier-dev/atelier/internal/model/synth"
	"github.com/atelier-dev/atelier/internal/quantize"
	"github.com/atelier-dev/atelier/internal/tensor"
	"github.com/atelier-dev/atelier/internal/testshared"
)

// synthModel describes a small random-weight model with a real vocabulary.
type synthModel struct {
	shape, vocab, ftype string
}

func (m synthModel) name() string { return m.shape + "-" + m.ftype }

// vocabs caches opened vocabulary files across tests.
var vocabs sync.Map

// writeSynth makes the model file in dir and returns its path. With
// ATELIER_SYNTH_OUT set, the files are kept there (to run llama.cpp on
// them and record goldens).
func writeSynth(t *testing.T, m synthModel, dir string) string {
	t.Helper()
	if out := os.Getenv("ATELIER_SYNTH_OUT"); out != "" {
		dir = out
	}
	path := filepath.Join(dir, m.name()+".gguf")
	var vf *gguf.File
	if v, ok := vocabs.Load(m.vocab); ok {
		vf = v.(*gguf.File)
	} else {
		var err error
		vf, err = gguf.Open(testshared.Path(t, "testdata/vocab/ggml-vocab-"+m.vocab+".gguf"))
		if err != nil {
			t.Fatal(err)
		}
		vocabs.Store(m.vocab, vf)
	}
	ft, err := quantize.ParseFileType(m.ftype)
	if err != nil {
		t.Fatal(err)
	}
	b, err := synth.Build(synth.Options{Shape: synth.Shapes()[m.shape], Vocab: vf, Type: ft, Seed: 42, OutNorm: 6})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLogitsMatchReference compares the engine's logits with a plain
// float64 implementation of the same architecture, for each architecture
// and weight type. The engine rounds keys, values and the attention sum to
// F16 and quantizes activations to 8 bits for quantized weights, so the
// tolerance grows with the type.
func TestLogitsMatchReference(t *testing.T) {
	if testing.Short() {
		t.Skip("builds twelve models")
	}
	tol := map[string]float64{"F32": 4e-3, "F16": 6e-3, "Q8_0": 2e-2, "Q4_K_M": 3e-2}
	var models []synthModel
	// A real vocabulary of 32000 tokens keeps the output matrix, and so the
	// test, small; TestGreedyMatchesLlamaCpp uses each family's own.
	for _, shape := range []string{"tiny-qwen2", "tiny-qwen3", "tiny-llama3"} {
		for _, ft := range []string{"F32", "F16", "Q8_0", "Q4_K_M"} {
			models = append(models, synthModel{shape, "llama-spm", ft})
		}
	}
	prompt := []int32{1, 200, 3000, 45, 9, 120, 7, 800}
	for _, m := range models {
		t.Run(m.name(), func(t *testing.T) {
			path := writeSynth(t, m, t.TempDir())
			_, d := openModel(t, path)
			d.SetThreads(2)
			ref := newReference(t, d)
			seq := d.NewSequence(64)
			got := make([]float32, d.Vocab)
			// The prompt's first half in one batch, then token by token.
			if err := d.Forward(seq, prompt[:4], got); err != nil {
				t.Fatal(err)
			}
			for i := 4; ; i++ {
				if i%2 == 0 {
					want := ref.logits(prompt[:i])
					compareLogits(t, i, got, want, tol[m.ftype])
				}
				if i == len(prompt) {
					break
				}
				if err := d.Forward(seq, prompt[i:i+1], got); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// compareLogits checks the largest difference against the scale of the
// reference logits.
func compareLogits(t *testing.T, pos int, got []float32, want []float64, tol float64) {
	t.Helper()
	var maxDiff, scale float64
	for i, w := range want {
		maxDiff = math.Max(maxDiff, math.Abs(float64(got[i])-w))
		scale = math.Max(scale, math.Abs(w))
	}
	t.Logf("after %d tokens: max difference %.2g of the largest logit", pos, maxDiff/scale)
	if maxDiff > tol*scale {
		t.Errorf("after %d tokens: logits differ by %.4g (%.2g of the largest, %.4g; tolerance %.2g)", pos, maxDiff, maxDiff/scale, scale, tol)
	}
}

// reference is a straightforward float64 forward pass over the decoder's
// weights (dequantized row by row), recomputing the whole prompt each time.
type reference struct {
	t *testing.T
	d *model.Decoder
}

func newReference(t *testing.T, d *model.Decoder) *reference { return &reference{t, d} }

func (r *reference) row(m *model.Matrix, i int) []float64 {
	buf := make([]float32, m.Cols)
	if err := tensor.Dequantize(m.Type, buf, m.Row(i)); err != nil {
		r.t.Fatal(err)
	}
	out := make([]float64, m.Cols)
	for j, v := range buf {
		out[j] = float64(v)
	}
	return out
}

func (r *reference) matvec(m *model.Matrix, x []float64) []float64 {
	out := make([]float64, m.Rows)
	buf := make([]float32, m.Cols)
	for i := range out {
		if err := tensor.Dequantize(m.Type, buf, m.Row(i)); err != nil {
			r.t.Fatal(err)
		}
		var s float64
		for j, w := range buf {
			s += float64(w) * x[j]
		}
		out[i] = s
	}
	return out
}

func rmsnorm(x []float64, w []float32, eps float32) []float64 {
	var ss float64
	for _, v := range x {
		ss += v * v
	}
	scale := 1 / math.Sqrt(ss/float64(len(x))+float64(eps))
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v * scale * float64(w[i])
	}
	return out
}

func addVec(x []float64, b []float32) {
	for i := range x {
		x[i] += float64(b[i])
	}
}

// rope rotates each head of x for position pos.
func (r *reference) rope(x []float64, pos int) {
	c := r.d.Config
	pairs := c.RopeDim / 2
	for h := 0; h < len(x); h += c.HeadDim {
		for j := range pairs {
			freq := math.Pow(float64(c.RopeBase), -2*float64(j)/float64(c.RopeDim))
			if r.d.RopeFreqs != nil {
				freq /= float64(r.d.RopeFreqs[j])
			}
			theta := float64(pos) * freq * float64(c.RopeScale)
			a, b := h+2*j, h+2*j+1
			if r.d.RopeNeox {
				a, b = h+j, h+j+pairs
			}
			x0, x1 := x[a], x[b]
			x[a] = x0*math.Cos(theta) - x1*math.Sin(theta)
			x[b] = x0*math.Sin(theta) + x1*math.Cos(theta)
		}
	}
}

// logits returns the next-token logits after tokens.
func (r *reference) logits(tokens []int32) []float64 {
	d := r.d
	c := d.Config
	hd := c.HeadDim
	n := len(tokens)
	xs := make([][]float64, n)
	for i, tok := range tokens {
		xs[i] = r.row(d.Embed, int(tok))
	}
	for l := range d.Layers {
		L := &d.Layers[l]
		qs, ks, vs := make([][]float64, n), make([][]float64, n), make([][]float64, n)
		for i := range n {
			h := rmsnorm(xs[i], L.AttnNorm, c.RMSEps)
			qs[i], ks[i], vs[i] = r.matvec(L.Q, h), r.matvec(L.K, h), r.matvec(L.V, h)
			if L.QBias != nil {
				addVec(qs[i], L.QBias)
				addVec(ks[i], L.KBias)
				addVec(vs[i], L.VBias)
			}
			if L.QNorm != nil {
				for o := 0; o < len(qs[i]); o += hd {
					copy(qs[i][o:o+hd], rmsnorm(qs[i][o:o+hd], L.QNorm, c.RMSEps))
				}
				for o := 0; o < len(ks[i]); o += hd {
					copy(ks[i][o:o+hd], rmsnorm(ks[i][o:o+hd], L.KNorm, c.RMSEps))
				}
			}
			r.rope(qs[i], i)
			r.rope(ks[i], i)
		}
		for i := range n {
			att := make([]float64, c.Heads*hd)
			for h := range c.Heads {
				kvh := h / (c.Heads / c.KVHeads)
				scores := make([]float64, i+1)
				max := math.Inf(-1)
				for t := 0; t <= i; t++ {
					var s float64
					for j := range hd {
						s += qs[i][h*hd+j] * ks[t][kvh*hd+j]
					}
					scores[t] = s / math.Sqrt(float64(hd))
					max = math.Max(max, scores[t])
				}
				var sum float64
				for t := range scores {
					scores[t] = math.Exp(scores[t] - max)
					sum += scores[t]
				}
				for t := range scores {
					for j := range hd {
						att[h*hd+j] += scores[t] / sum * vs[t][kvh*hd+j]
					}
				}
			}
			o := r.matvec(L.O, att)
			for j := range xs[i] {
				xs[i][j] += o[j]
			}
			h := rmsnorm(xs[i], L.FFNNorm, c.RMSEps)
			g, u := r.matvec(L.Gate, h), r.matvec(L.Up, h)
			for j := range g {
				g[j] = g[j] / (1 + math.Exp(-g[j])) * u[j]
			}
			down := r.matvec(L.Down, g)
			for j := range xs[i] {
				xs[i][j] += down[j]
			}
		}
	}
	return r.matvec(d.Output, rmsnorm(xs[n-1], d.OutNorm, c.RMSEps))
}
